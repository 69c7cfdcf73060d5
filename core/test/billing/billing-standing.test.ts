import { Type } from '@sinclair/typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineRoute } from '../../src/http/route.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';

/** What each kind of route answers a tenant that dunning made read only, then suspended; host administrators pass. */
describe('billing: the request path of a tenant in dunning', () => {
  let t: TestKernel;
  let owner: TestUser;
  let admin: TestUser;

  const Ok = Type.Object({ ok: Type.Boolean() });
  const publicWrite = defineRoute({
    method: 'POST',
    path: '/standing/public',
    summary: 'A public tenant route that writes (a customer-facing form)',
    public: true,
    tenant: true,
    schema: { response: Ok },
    errors: [],
    handler: async () => ({ ok: true }),
  });
  const memberWrite = defineRoute({
    method: 'POST',
    path: '/standing/member',
    summary: 'A member route that writes',
    member: true,
    schema: { response: Ok },
    errors: [],
    handler: async () => ({ ok: true }),
  });

  beforeAll(async () => {
    t = await createTestKernel({ routes: [publicWrite, memberWrite] });
    owner = await signUp(t, { tenant: true });
    admin = await signUp(t);
    await t.sql('update users set is_super_admin = true where id = $1', [admin.id]);
    await t.kernel.services.identity.forget(admin.id);
  });
  afterAll(() => t.close());

  const standing = async (status: 'ok' | 'read_only' | 'suspended') => {
    await t.sql('update tenants set billing_status = $2 where id = $1', [owner.tenant!.id, status]);
    await t.kernel.services.tenants.forget(owner.tenant!);
  };
  const call = (method: string, path: string, headers = owner.headers) => t.request(method, `/api/v1${path}`, { headers });
  const anonymous = { 'x-tenant': '' };

  it('read only: reads and public routes served, members’ writes refused 402, billing open', async () => {
    await standing('read_only');
    anonymous['x-tenant'] = owner.tenant!.slug;
    expect((await call('GET', '/tenant')).status).toBe(200);
    expect((await call('POST', '/standing/public', anonymous)).status).toBe(200);
    const refused = await call('POST', '/standing/member');
    expect([refused.status, refused.body.code]).toEqual([402, 'billing_read_only']);
    expect((await call('POST', '/billing/payment-method')).status).toBe(200);
  });

  it('suspended: tenant routes and public routes refused 402, billing and /me open', async () => {
    await standing('suspended');
    for (const [method, path, headers] of [
      ['POST', '/standing/member', owner.headers],
      ['POST', '/standing/public', anonymous],
    ] as const) {
      const refused = await call(method, path, headers);
      expect([refused.status, refused.body.code], `${method} ${path}`).toEqual([402, 'billing_suspended']);
    }
    expect((await call('GET', '/billing')).status).toBe(200);
    expect((await call('GET', '/me', { authorization: owner.headers.authorization! })).status).toBe(200);
    // What the console needs to lead the owner to the billing page: the tenant and the caller's permissions.
    expect((await call('GET', '/tenant')).status).toBe(200);
    expect((await call('GET', '/me/permissions')).status).toBe(200);
  });

  it('host administrators pass', async () => {
    const asAdmin = { ...admin.headers, 'x-tenant': owner.tenant!.slug };
    expect((await call('POST', '/standing/public', asAdmin)).status).toBe(200);
    await standing('ok');
    expect((await call('POST', '/standing/member')).status).toBe(200);
  });
});
