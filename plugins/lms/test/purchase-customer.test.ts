import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerMaker } from './fixtures/customer-maker.js';
import { fakeShop } from './fixtures/fake-shop.js';
import { customerSession, page } from './pages-support.js';
import { bootLms, buildCourse, type LmsWorld } from './support.js';

let world: LmsWorld;
beforeAll(async () => {
  world = await bootLms([fakeShop, customerMaker]);
  await world.t.enable(world.owner, 'shop');
  await world.t.enable(world.owner, 'customer-maker');
});
afterAll(() => world?.t.close());

describe('a purchase by a customer the shop made an account for', () => {
  it('enrols the customer (not `no_member`), and their learning page opens', async () => {
    const slug = world.owner.tenant!.slug;
    const productId = randomUUID();
    const course = await buildCourse(world.as(world.owner), { course: { shop_product_id: productId, title: 'Bought course' } });
    const email = `guest-${randomUUID()}@example.test`;
    const customer = await customerSession(world.t, slug, email);
    const orderId = randomUUID();
    const paid = await world.t.request('POST', '/api/v1/shop/test/paid', {
      headers: world.owner.headers,
      body: {
        orderId,
        number: 'SO-9',
        currency: 'EUR',
        total: 1000,
        customer: { id: randomUUID(), email, name: 'Guest', userId: customer.userId },
        lines: [
          { lineId: randomUUID(), productId, variantId: randomUUID(), sku: 'C', name: 'Course', quantity: 1, unitPrice: 1000, total: 1000, metadata: {} },
        ],
      },
    });
    expect(paid.status).toBe(200);
    await world.t.drainEvents();
    expect(await world.t.sql('select user_id, source, order_id from lms_enrollments where course_id = $1', [course.id])).toEqual([
      { user_id: customer.userId, source: 'purchase', order_id: orderId },
    ]);
    expect(await world.t.sql('select outcome, user_id from lms_purchases where order_id = $1', [orderId])).toEqual([
      { outcome: 'enrolled', user_id: customer.userId },
    ]);
    const learning = await page(world.t, 'GET', `/c/${slug}/learn/${course.id}`, { cookie: customer.cookie });
    expect(learning.status).toBe(200);
    expect(learning.body).toContain('Bought course');
  });
});
