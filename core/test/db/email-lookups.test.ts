import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, planAsTenant, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';

// Lookups by email through the security-barrier views (`tenant_users`, `tenant_accounts`) compare `email_key`
// (migration 020): a `lower(email) = $1` condition stays outside the view, which then joins every membership of the
// tenant to every user. Checked on the plans the application role gets, and by behaviour: emails in any case.
let t: TestKernel;
let owner: TestUser;

beforeAll(async () => {
  t = await createTestKernel();
  owner = await signUp(t, { tenant: true });
  // Enough users that scanning them costs more than probing the index.
  await t.sql("insert into users (email, name, password_hash) select 'filler' || g || '@example.test', 'Filler', '!' from generate_series(1, 3000) g");
  await t.sql('analyze users');
}, 60_000);
afterAll(async () => {
  await t?.close();
});

describe('lookups by email through the tenant views', () => {
  for (const [view, select] of [
    ['tenant_accounts', 'select user_id, email from tenant_accounts where email_key = $1'],
    ['tenant_users', 'select user_id from tenant_users where email_key = lower($1)'],
  ] as const) {
    it(`${view}: probes the users' email index instead of scanning every user`, async () => {
      const plan = await planAsTenant(t, owner.tenant!.id, select, [owner.email.toUpperCase()]);
      expect(plan).toContain('users_email_unique');
      expect(plan).not.toContain('Seq Scan on users');
    });
  }

  it('a member is found by an email typed in another case, and an invitation to them is refused', async () => {
    const [member] = await t.sql<{ id: string }>("select id from roles where tenant_id = $1 and builtin = 'member'", [owner.tenant!.id]);
    const invited = await t.request('POST', '/api/v1/invitations', {
      headers: owner.headers,
      body: { email: owner.email.toUpperCase(), roles: [member!.id] },
    });
    expect(invited.status).toBe(409);
    expect(invited.body.errors).toEqual({ email: ['is already a member'] });
  });
});
