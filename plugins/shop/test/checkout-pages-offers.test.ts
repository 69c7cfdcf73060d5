import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import payments from '@plinth/plugin-payments';
import { coreServices, definePermissions, definePlugin, Type } from '@plinth/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import shop, { shopOffersRef } from '../src/index.js';
import { createProduct, shopApi } from './helpers.js';

// A plugin that shows the shop's offers as the LMS catalogue does: through the `shop.offers` service ref only.
const readerPermissions = definePermissions('offer-reader', { 'offers.view': { description: 'See offers', grantTo: ['admin'] } });
const offerReader = definePlugin({
  name: 'offer-reader',
  version: '0.1.0',
  title: 'Offer reader',
  description: 'Test fixture',
  category: 'test',
  requires: { core: '^0.1.0', plugins: { shop: '^0.1.0' } },
  deps: { db: coreServices.db, offers: shopOffersRef },
  permissions: readerPermissions,
  routes: ({ route }) => [
    route({
      method: 'POST',
      path: '/offers',
      summary: 'The offers of some products',
      permission: readerPermissions['offers.view'],
      schema: { body: Type.Object({ ids: Type.Array(Type.String({ maxLength: 100 }), { maxItems: 50 }) }) },
      async handler({ body, deps }) {
        return Object.fromEntries(await deps.offers.offers(body.ids));
      },
    }),
  ],
});

let t: TestKernel;
let owner: TestUser;
let other: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [payments, shop, offerReader] });
  [owner, other] = await Promise.all([signUp(t, { tenant: true }), signUp(t, { tenant: true })]);
  for (const user of [owner, other]) await t.enable(user, 'offer-reader');
  const settings = await t.request('PUT', '/api/v1/plugins/shop/settings', { headers: owner.headers, body: { currency: 'EGP' } });
  expect(settings.status).toBe(200);
}, 60_000);
afterAll(() => t?.close());

describe('the shop.offers service', () => {
  it('offers active products at their lowest variant price with the buy page’s path; drafts, foreign and bad ids are absent', async () => {
    const course = await createProduct(t, owner, { price: 3000, name: 'Course' });
    const cheaper = await shopApi(t, owner)('POST', `/products/${course.productId}/variants`, { sku: `CHEAP-${process.pid}`, price: 1999, stock: 0 });
    expect(cheaper.status, JSON.stringify(cheaper.body)).toBe(201);
    const draft = await createProduct(t, owner, { status: 'draft' });
    const foreign = await createProduct(t, other, { name: 'Foreign' });
    const slug = (await shopApi(t, owner)('GET', `/products/${course.productId}`)).body.data.slug;

    const answer = await t.request('POST', '/api/v1/offer-reader/offers', {
      headers: owner.headers,
      body: { ids: [course.productId, draft.productId, foreign.productId, 'not-a-uuid', course.productId] },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual({
      [course.productId]: { slug, name: 'Course', price: 1999, currency: 'EGP', buyPath: `/c/${owner.tenant!.slug}/buy/${slug}` },
    });
    const empty = await t.request('POST', '/api/v1/offer-reader/offers', { headers: owner.headers, body: { ids: [] } });
    expect(empty.body.data).toEqual({});
  });
});
