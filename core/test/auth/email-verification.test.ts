import { definePermissions, definePlugin, Type } from '@plinth/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCustomer } from '../../src/customers/customers.js';
import { runInTenant } from '../../src/db/scoped-db.js';
import { createTestKernel, signUp, testPassword, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { asSignedIn, freshIp, hostAuditOf, systemQuery, trustProxyEnv } from './auth-helpers.js';

// A plugin route marked `verifiedEmail`, as a plugin marks its routes that mail on the tenant's behalf.
const permissions = definePermissions('postbox', { 'letters.send': { description: 'Send letters', grantTo: ['admin'] } });
const postbox = definePlugin({
  name: 'postbox',
  version: '1.0.0',
  title: 'Postbox',
  description: 'Sends letters',
  category: 'testing',
  requires: { core: '>=0.1.0' },
  permissions,
  routes: ({ route }) => [
    route({
      method: 'POST',
      path: '/letters',
      summary: 'Send a letter',
      permission: permissions['letters.send'],
      verifiedEmail: true,
      schema: { body: Type.Object({}), response: Type.Object({ sent: Type.Boolean() }) },
      async handler() {
        return { sent: true };
      },
    }),
  ],
});

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel({ env: trustProxyEnv, plugins: [postbox] });
});
afterAll(() => t.close());

const verify = (token: string) => t.request('POST', '/api/v1/auth/email/verify', { body: { token }, headers: freshIp() });
const resend = (user: TestUser) => t.request('POST', '/api/v1/me/email/verification', { headers: asSignedIn(user), body: {} });
const me = (user: TestUser) => t.request('GET', '/api/v1/me', { headers: asSignedIn(user) });

/** The tokens of the verification links mailed to `email`, oldest first. */
async function mailedTokens(email: string): Promise<string[]> {
  const mails = await t.mailbox(email);
  return mails.flatMap((mail) => {
    const match = new RegExp(`${t.url.replace(/[.:/]/g, '\\$&')}/verify-email\\?token=([\\w%-]+)`).exec(mail.text);
    return match ? [decodeURIComponent(match[1]!)] : [];
  });
}

async function emailVerifiedAt(userId: string): Promise<Date | null> {
  const [row] = await systemQuery<{ email_verified_at: Date | null }>(t, 'select email_verified_at from users where id = $1', [userId]);
  return row!.email_verified_at;
}

describe('registration', () => {
  it('mails a single-use link valid for 24 hours; the account is unverified until it is opened', async () => {
    const user = await signUp(t, { verified: false });
    const [mail] = await t.mailbox(user.email);
    expect(mail!.subject).toBe('Confirm your email address');
    const [token] = await mailedTokens(user.email);
    expect(token).toBeDefined();
    const [row] = await systemQuery<{ token_hash: string; ttl: number; email: string }>(
      t,
      'select token_hash, extract(epoch from expires_at - created_at)::int as ttl, email from email_verifications where user_id = $1',
      [user.id],
    );
    expect(row).toMatchObject({ ttl: 86_400, email: user.email });
    expect(row!.token_hash).not.toBe(token);
    expect((await me(user)).body.data.email_verified).toBe(false);

    const verified = await verify(token!);
    expect(verified.status).toBe(200);
    expect(verified.body.data).toEqual({ email: user.email, email_verified: true });
    expect((await me(user)).body.data.email_verified).toBe(true);
    expect(await hostAuditOf(t, 'auth.email.verified', user.id)).toHaveLength(1);
  });

  it('answers the user with email_verified false from register itself, and in Arabic for an Arabic browser', async () => {
    const email = `arabic-${Date.now()}@example.test`;
    const response = await t.request('POST', '/api/v1/auth/register', {
      body: { email, password: testPassword(), name: 'Salma' },
      headers: { 'accept-language': 'ar' },
    });
    expect(response.status).toBe(201);
    expect(response.body.data.user.email_verified).toBe(false);
    const [mail] = await t.mailbox(email);
    expect(mail!.subject).toBe('أكِّد عنوان بريدك الإلكتروني');
  });
});

describe('POST /auth/email/verify refuses', () => {
  it('a link used once already: 400, audited, and it changes nothing', async () => {
    const user = await signUp(t, { verified: false });
    const [token] = await mailedTokens(user.email);
    expect((await verify(token!)).status).toBe(200);
    const verifiedAt = await emailVerifiedAt(user.id);
    const again = await verify(token!);
    expect(again.status).toBe(400);
    expect(again.body.code).toBe('email_verification_invalid');
    expect(again.body.message).toBe('This verification link has already been used');
    expect(await emailVerifiedAt(user.id)).toEqual(verifiedAt);
    const refused = await hostAuditOf(t, 'auth.email.verify_refused', user.id);
    expect(refused.map((entry) => entry.data)).toEqual([{ reason: 'used' }]);
  });

  it('an expired link: 400, audited, the account stays unverified', async () => {
    const user = await signUp(t, { verified: false });
    const [token] = await mailedTokens(user.email);
    await systemQuery(t, "update email_verifications set expires_at = now() - interval '1 second' where user_id = $1", [user.id]);
    const response = await verify(token!);
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('email_verification_invalid');
    expect(response.body.message).toBe('This verification link has expired; ask for a new one');
    expect(await emailVerifiedAt(user.id)).toBeNull();
    expect((await hostAuditOf(t, 'auth.email.verify_refused', user.id)).map((entry) => entry.data)).toEqual([{ reason: 'expired' }]);
    const [row] = await systemQuery<{ used_at: Date | null }>(t, 'select used_at from email_verifications where user_id = $1', [user.id]);
    expect(row!.used_at).toBeNull();
  });

  it('an unknown token: 400 in the language asked for, audited', async () => {
    const response = await t.request('POST', '/api/v1/auth/email/verify', {
      body: { token: 'not-a-token-anyone-was-sent' },
      headers: { ...freshIp(), 'accept-language': 'ar' },
    });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('email_verification_invalid');
    expect(response.body.message).toBe('رابط التأكيد هذا غير صالح؛ اطلب رابطًا جديدًا');
    const rows = await systemQuery<{ data: unknown }>(
      t,
      "select data from host_audit_log where action = 'auth.email.verify_refused' and actor_user_id is null and data->>'reason' = 'unknown'",
    );
    expect(rows.length).toBeGreaterThanOrEqual(1);
  });

  it('more than 10 bad tokens from one address in 15 minutes: 429 with Retry-After, even for a good one', async () => {
    const user = await signUp(t, { verified: false });
    const [token] = await mailedTokens(user.email);
    const ip = freshIp();
    for (let index = 0; index < 10; index++) {
      expect((await t.request('POST', '/api/v1/auth/email/verify', { body: { token: `bad-${index}` }, headers: ip })).status).toBe(400);
    }
    const limited = await t.request('POST', '/api/v1/auth/email/verify', { body: { token }, headers: ip });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await emailVerifiedAt(user.id)).toBeNull();
  });
});

describe('POST /me/email/verification', () => {
  it('mails a new link that works; the old one is spent with it', async () => {
    const user = await signUp(t, { verified: false });
    const response = await resend(user);
    expect(response.status).toBe(202);
    expect(response.body.data).toEqual({ email: user.email });
    const [first, second] = await mailedTokens(user.email);
    expect(second).toBeDefined();
    expect((await verify(second!)).status).toBe(200);
    expect((await verify(first!)).status).toBe(400);
  });

  it('is 409 once the address is verified', async () => {
    const user = await signUp(t);
    const response = await resend(user);
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('conflict');
  });

  it('is limited to 5 mails an hour per account, registration’s included: 429 with Retry-After, audited', async () => {
    const user = await signUp(t, { verified: false });
    for (let index = 0; index < 4; index++) expect((await resend(user)).status).toBe(202);
    const limited = await resend(user);
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await mailedTokens(user.email)).toHaveLength(5);
    expect(await hostAuditOf(t, 'auth.email.resend_limited', user.id)).toHaveLength(1);
  });
});

describe('routes that need a verified email', () => {
  it('refuse an unverified owner 403 email_unverified (nothing sent), and let them in once verified', async () => {
    const owner = await signUp(t, { tenant: true, verified: false });
    const invite = () => t.request('POST', '/api/v1/invitations', { headers: owner.headers, body: { email: `invitee-${Date.now()}@example.test`, roles: [] } });
    const refused = await invite();
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('email_unverified');
    expect(refused.body.message).toBe('Verify your email address first');
    expect(await systemQuery(t, 'select 1 from invitations where tenant_id = $1', [owner.tenant!.id])).toEqual([]);

    await t.enable(owner, 'postbox');
    const letter = await t.request('POST', '/api/v1/postbox/letters', { headers: owner.headers, body: {} });
    expect(letter.status).toBe(403);
    expect(letter.body.code).toBe('email_unverified');

    const [token] = await mailedTokens(owner.email);
    expect((await verify(token!)).status).toBe(200);
    expect((await invite()).status).toBe(201);
    expect((await t.request('POST', '/api/v1/postbox/letters', { headers: owner.headers, body: {} })).status).toBe(200);
  });

  it('let API tokens through: the gate is about the signed-in person', async () => {
    const owner = await signUp(t, { tenant: true });
    await systemQuery(t, 'update users set email_verified_at = null where id = $1', [owner.id]);
    await t.kernel.services.identity.forget(owner.id);
    const created = await t.request('POST', '/api/v1/api-tokens', { headers: owner.headers, body: { name: 'mailer', permissions: ['core.members.manage'] } });
    expect(created.status).toBe(201);
    const byToken = await t.request('POST', '/api/v1/invitations', {
      headers: { authorization: `Bearer ${created.body.data.token}`, 'x-tenant': owner.tenant!.slug },
      body: { email: `by-token-${Date.now()}@example.test`, roles: [] },
    });
    expect(byToken.status).toBe(201);
    expect(
      (await t.request('POST', '/api/v1/invitations', { headers: owner.headers, body: { email: `x-${Date.now()}@example.test`, roles: [] } })).status,
    ).toBe(403);
  });

  it('are listed with email_unverified in the OpenAPI document', async () => {
    const document = (await t.request('GET', '/api/v1/openapi.json')).body;
    const operation = document.paths['/api/v1/invitations'].post;
    expect(JSON.stringify(operation.responses['403'])).toContain('email_unverified');
  });
});

describe('invitations', () => {
  async function invitationToken(owner: TestUser, email: string): Promise<string> {
    const created = await t.request('POST', '/api/v1/invitations', { headers: owner.headers, body: { email, roles: [] } });
    expect(created.status).toBe(201);
    return new URL(created.body.data.accept_url).searchParams.get('token')!;
  }

  it('accepting one while signed in with an unverified email is 403 email_unverified; nothing joins', async () => {
    const owner = await signUp(t, { tenant: true });
    const invitee = await signUp(t, { verified: false });
    const token = await invitationToken(owner, invitee.email);
    const refused = await t.request('POST', '/api/v1/invitations/accept', { headers: asSignedIn(invitee), body: { token } });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('email_unverified');
    expect(await systemQuery(t, 'select 1 from memberships where user_id = $1', [invitee.id])).toEqual([]);
  });

  it('creating the account through one verifies the address it was mailed to', async () => {
    const owner = await signUp(t, { tenant: true });
    const email = `joiner-${Date.now()}@example.test`;
    const token = await invitationToken(owner, email);
    const accepted = await t.request('POST', '/api/v1/invitations/accept', { body: { token, name: 'Joiner', password: testPassword() } });
    expect(accepted.status).toBe(201);
    expect(accepted.body.data.user.email_verified).toBe(true);
    expect(await mailedTokens(email)).toEqual([]);
    const [session] = await systemQuery<{ method: string }>(t, 'select method from refresh_tokens where user_id = $1', [accepted.body.data.user.id]);
    expect(session!.method).toBe('invitation');
  });
});

describe('customers', () => {
  it('made by customers.ensure are unverified until they use a sign-in link', async () => {
    const owner = await signUp(t, { tenant: true });
    const email = `buyer-${Date.now()}@example.test`;
    const { database } = t.kernel.services;
    const { userId } = await runInTenant(database, owner.tenant!.id, (db) => ensureCustomer(database, db, { email }));
    expect(await emailVerifiedAt(userId)).toBeNull();
    const customer = await t.customer(owner, email);
    expect(customer.id).toBe(userId);
    expect(await emailVerifiedAt(userId)).not.toBeNull();
    const [session] = await systemQuery<{ method: string }>(t, 'select method from refresh_tokens where user_id = $1', [userId]);
    expect(session!.method).toBe('magic-link');
  });
});

describe('email_verifications', () => {
  it('is a host table tenant work cannot read', async () => {
    const client = await t.kernel.services.database.acquire();
    try {
      await client.query('begin; set local role plinth_app');
      await expect(client.query('select 1 from email_verifications limit 1')).rejects.toMatchObject({ code: '42501' });
      await client.query('rollback');
    } finally {
      await t.kernel.services.database.release(client);
    }
  });

  it('password reset, a link mailed to the address, verifies it too', async () => {
    const user = await signUp(t, { verified: false });
    await t.request('POST', '/api/v1/auth/password/forgot', { body: { email: user.email }, headers: freshIp() });
    let text = '';
    await expect
      .poll(async () => (text = (await t.mailbox(user.email)).find((mail) => mail.text.includes('/reset-password?token='))?.text ?? ''))
      .toContain('token=');
    const token = decodeURIComponent(/reset-password\?token=([\w%-]+)/.exec(text)![1]!);
    expect((await t.request('POST', '/api/v1/auth/password/reset', { body: { token, password: testPassword() }, headers: freshIp() })).status).toBe(204);
    expect(await emailVerifiedAt(user.id)).not.toBeNull();
  });
});

describe('POST /me/email', () => {
  const change = (user: TestUser, body: unknown) => t.request('POST', '/api/v1/me/email', { headers: asSignedIn(user), body });

  it('mails a link to the new address; the account keeps its address until it is used, then the old one is told', async () => {
    const user = await signUp(t, { name: 'Huda' });
    const next = `moved-${Date.now()}@example.test`;
    const asked = await change(user, { email: next, current_password: user.password });
    expect(asked.status).toBe(202);
    expect(asked.body.data).toEqual({ pending_email: next });
    expect((await me(user)).body.data.email).toBe(user.email);
    const [mail] = await t.mailbox(next);
    expect(mail!.subject).toBe('Confirm your new email address');
    const [token] = await mailedTokens(next);

    const verified = await verify(token!);
    expect(verified.status).toBe(200);
    expect(verified.body.data).toEqual({ email: next, email_verified: true });
    expect((await me(user)).body.data).toMatchObject({ email: next, email_verified: true });
    const told = await t.mailbox(user.email);
    expect(told.map((sent) => sent.subject)).toEqual(['Your email address was changed']);
    expect(told[0]!.text).toContain(next);
    const [entry] = await hostAuditOf(t, 'auth.email.changed', user.id);
    expect(entry!.data).toEqual({ from: user.email, to: next });
    // The new address signs in; the old one no longer does.
    const login = (email: string) => t.request('POST', '/api/v1/auth/login', { body: { email, password: user.password }, headers: freshIp() });
    expect((await login(next)).status).toBe(200);
    expect((await login(user.email)).status).toBe(401);
  });

  it('refuses a wrong password (422), the current address (422) and one another account uses (409), mailing nothing', async () => {
    const user = await signUp(t);
    const other = await signUp(t);
    const wrong = await change(user, { email: `x-${Date.now()}@example.test`, current_password: 'not-it' });
    expect(wrong.status).toBe(422);
    expect(Object.keys(wrong.body.errors)).toEqual(['current_password']);
    expect(await hostAuditOf(t, 'auth.email.change_failed', user.id)).toHaveLength(1);
    const same = await change(user, { email: user.email.toUpperCase(), current_password: user.password });
    expect(same.status).toBe(422);
    expect(Object.keys(same.body.errors)).toEqual(['email']);
    const taken = await change(user, { email: other.email, current_password: user.password });
    expect(taken.status).toBe(409);
    expect(await systemQuery(t, "select 1 from email_verifications where user_id = $1 and purpose = 'change'", [user.id])).toEqual([]);
  });

  it('a change link whose address another account took meanwhile is refused (400, audited), changing nothing', async () => {
    const user = await signUp(t);
    const next = `race-${Date.now()}@example.test`;
    expect((await change(user, { email: next, current_password: user.password })).status).toBe(202);
    const [token] = await mailedTokens(next);
    await signUp(t, { email: next });
    const refused = await verify(token!);
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('email_verification_invalid');
    expect((await me(user)).body.data.email).toBe(user.email);
    expect((await hostAuditOf(t, 'auth.email.verify_refused', user.id)).map((entry) => entry.data)).toEqual([{ reason: 'taken' }]);
  });

  it('a link verifying the old address, used after the change, verifies nothing (stale)', async () => {
    const user = await signUp(t, { verified: false });
    const [oldToken] = await mailedTokens(user.email);
    const next = `stale-${Date.now()}@example.test`;
    expect((await change(user, { email: next, current_password: user.password })).status).toBe(202);
    const [token] = await mailedTokens(next);
    expect((await verify(token!)).status).toBe(200);
    const stale = await verify(oldToken!);
    expect(stale.status).toBe(400);
    expect((await me(user)).body.data.email).toBe(next);
    expect((await hostAuditOf(t, 'auth.email.verify_refused', user.id)).map((entry) => entry.data)).toEqual([{ reason: 'stale' }]);
  });
});
