import { Type, type TSchema } from '@plinth/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineRoute } from '../../src/index.js';
import { createTestKernel, type TestKernel } from '../../src/testing/index.js';

// A create body gets its schema's defaults filled in; a PATCH body is a change, and a field it leaves out must stay
// as it is. Plugins often write their update schema as `Type.Partial` of the create schema, defaults included: the
// kernel must not turn "not sent" into "reset to the default" (a saved edit would silently unfeature a product).
const Product = Type.Object(
  { title: Type.String(), featured: Type.Boolean({ default: false }), stock: Type.Integer({ default: 0 }) },
  { additionalProperties: false },
);
const Echo = Type.Object({ received: Type.Record(Type.String(), Type.Unknown()) });

let t: TestKernel;
beforeAll(async () => {
  const echo = (method: 'POST' | 'PATCH' | 'PUT', body: TSchema) =>
    defineRoute({
      method,
      path: '/test/products',
      summary: `Echoes a ${method} body`,
      errors: [],
      public: true,
      schema: { body, response: Echo },
      handler: async ({ body: received }) => ({ received: received as Record<string, unknown> }),
    });
  t = await createTestKernel({ routes: [echo('POST', Product), echo('PATCH', Type.Partial(Product)), echo('PUT', Type.Partial(Product))] });
});
afterAll(async () => {
  await t?.close();
});

describe('schema defaults in request bodies', () => {
  it('fill a create body', async () => {
    const created = await t.request('POST', '/api/v1/test/products', { body: { title: 'Mug' } });
    expect(created.body.data.received).toEqual({ title: 'Mug', featured: false, stock: 0 });
  });

  it('leave a PATCH body as sent, though its schema declares defaults', async () => {
    const patched = await t.request('PATCH', '/api/v1/test/products', { body: { title: 'Big mug' } });
    expect(patched.status).toBe(200);
    expect(patched.body.data.received).toEqual({ title: 'Big mug' });
  });

  it('still validate a PATCH body (types, unknown fields)', async () => {
    const refused = await t.request('PATCH', '/api/v1/test/products', { body: { featured: 'yes', colour: 'red' } });
    expect(refused.status).toBe(422);
    expect(Object.keys(refused.body.errors).sort()).toEqual(['colour', 'featured']);
  });

  it('fill a PUT body (a replacement: what it leaves out takes the default)', async () => {
    const replaced = await t.request('PUT', '/api/v1/test/products', { body: { title: 'Cup' } });
    expect(replaced.body.data.received).toEqual({ title: 'Cup', featured: false, stock: 0 });
  });
});
