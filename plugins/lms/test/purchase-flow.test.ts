import payments from '@plinth/plugin-payments';
import shop from '@plinth/plugin-shop';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { page, redeem } from './pages-support.js';
import { bootLms, buildCourse, type LmsWorld } from './support.js';

/** The payments test gateway's succeeding card. */
const GOOD_CARD = '4242424242424242';

let world: LmsWorld;
beforeAll(async () => {
  world = await bootLms([payments, shop]);
  await world.t.enable(world.owner, 'shop');
  const provider = await world.t.request('PUT', '/api/v1/payments/providers/test', {
    headers: world.owner.headers,
    body: { credentials: { webhook_secret: `whsec_${world.owner.tenant!.slug}` } },
  });
  expect(provider.status).toBe(200);
});
afterAll(() => world?.t.close());

/** Polls `check` until it is truthy, delivering jobs and events in between (bounded; no sleeps as synchronisation). */
async function eventually(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await world.t.drainJobs();
    await world.t.drainEvents();
  }
}

describe('a guest buys a course and learns, with no staff action', () => {
  it('enrols the guest, and the receipt’s “Start” link signs them in on the course’s learning page', async () => {
    const slug = world.owner.tenant!.slug;
    const shopApi = (method: string, path: string, body?: unknown) => world.t.request(method, `/api/v1/shop${path}`, { headers: world.owner.headers, body });
    const store = (method: string, path: string, body?: unknown) =>
      world.t.request(method, `/api/v1/shop/store${path}`, { headers: { 'x-tenant': slug }, body });
    const product = await shopApi('POST', '/products', {
      name: 'Geometry course',
      slug: 'geometry-course',
      status: 'active',
      metadata: {},
      variants: [{ sku: 'GEO-1', price: 2900, stock: 100 }],
    });
    expect(product.status).toBe(201);
    const course = await buildCourse(world.as(world.owner), { course: { shop_product_id: product.body.data.id, title: 'Geometry' } });
    const email = `guest-${randomUUID()}@example.test`;

    const cart = await store('POST', '/carts');
    expect((await store('POST', `/carts/${cart.body.data.token}/lines`, { variant_id: product.body.data.variants[0].id, quantity: 1 })).status).toBe(201);
    const checkout = await store('POST', `/carts/${cart.body.data.token}/checkout`, { customer: { email, name: 'Guest Buyer' } });
    expect(checkout.status).toBe(201);
    const confirmed = await world.t.request('POST', `/api/v1/payments/intents/${checkout.body.data.payment_intent.id}/confirm`, {
      headers: world.owner.headers,
      body: { payment_method: GOOD_CARD },
    });
    expect(confirmed.status).toBe(200);

    const enrolledUser = async () =>
      (
        await world.t.sql<{ user_id: string }>(
          'select e.user_id from lms_enrollments e join users u on u.id = e.user_id where e.course_id = $1 and lower(u.email) = $2',
          [course.id, email],
        )
      )[0]?.user_id;
    await eventually(async () => (await enrolledUser()) !== undefined);
    expect(await world.t.sql('select outcome from lms_purchases where course_id = $1', [course.id])).toEqual([{ outcome: 'enrolled' }]);

    const receipt = async () => (await world.t.mailbox(email)).find((mail) => mail.text.includes('Start Geometry'));
    await eventually(async () => (await receipt()) !== undefined);
    const line = (await receipt())!.text.split('\n').find((text) => text.includes('Start Geometry'))!;
    const link = /https?:\/\/\S+/.exec(line)?.[0];
    expect(link).toBeDefined();
    const cookie = await redeem(world.t, link!);
    const learning = await page(world.t, 'GET', `/c/${slug}/learn/${course.id}`, { cookie });
    expect(learning.status).toBe(200);
    const done = await page(world.t, 'POST', `/c/${slug}/learn/${course.id}/lessons/${course.lessonIds[0]}/complete`, { cookie });
    expect(done.status).toBe(303);
    expect(await world.t.sql('select progress_percent from lms_enrollments where course_id = $1 and user_id = $2', [course.id, await enrolledUser()])).toEqual([
      { progress_percent: 50 },
    ]);
  });
});
