import type { TestUser } from '@plinth/core/testing';
import payments from '@plinth/plugin-payments';
import shop from '@plinth/plugin-shop';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLms, buildCourse, type LmsWorld } from './support.js';

/** The payments test gateway's succeeding card. */
const GOOD_CARD = '4242424242424242';

let world: LmsWorld;
let learner: TestUser;
beforeAll(async () => {
  world = await bootLms([payments, shop]);
  await world.t.enable(world.owner, 'shop');
  const provider = await world.t.request('PUT', '/api/v1/payments/providers/test', {
    headers: world.owner.headers,
    body: { credentials: { webhook_secret: `whsec_${world.owner.tenant!.slug}` } },
  });
  expect(provider.status).toBe(200);
  learner = await world.member();
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

describe('purchase → enrolment with the real shop and payments plugins', () => {
  it('enrols the buyer when the course’s product is paid through the storefront and the test gateway', async () => {
    const shopApi = (method: string, path: string, body?: unknown) => world.t.request(method, `/api/v1/shop${path}`, { headers: world.owner.headers, body });
    const store = (method: string, path: string, body?: unknown) =>
      world.t.request(method, `/api/v1/shop/store${path}`, { headers: { 'x-tenant': world.owner.tenant!.slug }, body });
    const product = await shopApi('POST', '/products', {
      name: 'Algebra course',
      slug: 'algebra-course',
      status: 'active',
      metadata: {},
      variants: [{ sku: 'ALG-1', price: 4900, stock: 100 }],
    });
    expect(product.status).toBe(201);
    const course = await buildCourse(world.as(world.owner), { course: { shop_product_id: product.body.data.id } });

    const cart = await store('POST', '/carts');
    expect((await store('POST', `/carts/${cart.body.data.token}/lines`, { variant_id: product.body.data.variants[0].id, quantity: 1 })).status).toBe(201);
    const checkout = await store('POST', `/carts/${cart.body.data.token}/checkout`, { customer: { email: learner.email, name: 'Learner' } });
    expect(checkout.status).toBe(201);
    const { order, payment_intent: intent } = checkout.body.data;
    expect((await world.as(learner)('GET', `/lessons/${course.lessonIds[0]}`)).status).toBe(403);

    const confirmed = await world.t.request('POST', `/api/v1/payments/intents/${intent.id}/confirm`, {
      headers: world.owner.headers,
      body: { payment_method: GOOD_CARD },
    });
    expect(confirmed.status).toBe(200);
    const enrolled = async () =>
      (await world.t.sql('select id from lms_enrollments where course_id = $1 and user_id = $2', [course.id, learner.id])).length === 1;
    await eventually(enrolled);

    const purchases = await world.as(world.owner)('GET', `/purchases?course_id=${course.id}`);
    expect(purchases.body.data).toEqual([expect.objectContaining({ order_id: order.id, outcome: 'enrolled', user_id: learner.id })]);
    const mine = await world.as(learner)('GET', '/my/courses');
    expect(mine.body.data).toEqual([expect.objectContaining({ course_id: course.id, source: 'purchase' })]);
    expect((await world.as(learner)('GET', `/lessons/${course.lessonIds[0]}`)).status).toBe(200);
  });
});
