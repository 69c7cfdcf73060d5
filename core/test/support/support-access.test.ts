import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { asSystem, signUpMember, signUpSuperAdmin } from '../isolation/fixtures.js';

// Support access end to end, through HTTP: an operator asks, the owners are told (and approve when their settings
// say so), the operator reads inside the tenant, every request lands in both audit logs with the reason, and the
// access ends by itself at expiry or at once when either side ends it.

let t: TestKernel;
let operator: TestUser;
let owner: TestUser;
let other: TestUser;
let clockOffsetMs = 0;

beforeAll(async () => {
  t = await createTestKernel({ services: { clock: () => ({ now: () => new Date(Date.now() + clockOffsetMs) }) } });
  operator = await signUpSuperAdmin(t);
  owner = await signUp(t, { tenant: true });
  other = await signUp(t, { tenant: true });
});
afterAll(() => t?.close());
// Each test starts with the real time, no open session and no approval required, whatever the last one left.
afterEach(async () => {
  clockOffsetMs = 0;
  await endAll();
  await setApproval(owner, false);
});

const asOperator = (tenant?: { slug: string }) => ({
  authorization: `Bearer ${operator.accessToken}`,
  ...(tenant ? { 'x-tenant': tenant.slug } : {}),
});
const ask = (tenantId: string, body: unknown) => t.request('POST', `/api/v1/admin/tenants/${tenantId}/support-access`, { headers: asOperator(), body });
const sessionsOf = (tenantId: string) =>
  asSystem(t, (db) => db.query<{ id: string; status: string }>('select id, status from support_sessions where tenant_id = $1', [tenantId]));
const roleId = async (tenantId: string, builtin: string) =>
  (await asSystem(t, (db) => db.one<{ id: string }>('select id from roles where tenant_id = $1 and builtin = $2', [tenantId, builtin])))!.id;
const setApproval = async (user: TestUser, value: boolean) => {
  const response = await t.request('PATCH', '/api/v1/tenant', { headers: user.headers, body: { settings: { support_access_approval: value } } });
  expect(response.status).toBe(200);
};
/** Ends every open session of the operator (each test starts without one). */
const endAll = async () => {
  const open = await t.request('GET', '/api/v1/admin/support-access?per_page=100', { headers: asOperator() });
  for (const session of open.body.data as { id: string; status: string }[]) {
    if (session.status === 'pending' || session.status === 'active')
      await t.request('DELETE', `/api/v1/admin/support-access/${session.id}`, { headers: asOperator() });
  }
};

describe('asking for support access: bad input changes nothing', () => {
  it.each([
    ['no reason', { minutes: 30 }],
    ['a reason under 5 characters', { reason: 'help', minutes: 30 }],
    ['a blank reason', { reason: '       ', minutes: 30 }],
    ['a reason over 500 characters', { reason: 'x'.repeat(501), minutes: 30 }],
    ['no duration', { reason: 'Ticket #1234' }],
    ['zero minutes', { reason: 'Ticket #1234', minutes: 0 }],
    ['a duration over the maximum (480)', { reason: 'Ticket #1234', minutes: 481 }],
    ['an unknown field', { reason: 'Ticket #1234', minutes: 30, admin: true }],
    ['a role that is no role', { reason: 'Ticket #1234', minutes: 30, role_id: randomUUID() }],
  ])('%s: 422', async (_, body) => {
    const response = await ask(owner.tenant!.id, body);
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('validation_failed');
    expect(await sessionsOf(owner.tenant!.id)).toEqual([]);
  });

  it("names the field for a duration over the host's maximum, and for another tenant's role", async () => {
    const long = await ask(owner.tenant!.id, { reason: 'Ticket #1234', minutes: 481 });
    expect(long.body.errors).toEqual({ minutes: ['must be at most 480 (PLINTH_SUPPORT_MAX_MINUTES)'] });
    const foreign = await ask(owner.tenant!.id, { reason: 'Ticket #1234', minutes: 30, role_id: await roleId(other.tenant!.id, 'admin') });
    expect(foreign.status).toBe(422);
    expect(foreign.body.errors).toEqual({ role_id: ['is not a staff role of this tenant'] });
    expect(await sessionsOf(owner.tenant!.id)).toEqual([]);
  });

  it('an unknown tenant: 404', async () => {
    const response = await ask(randomUUID(), { reason: 'Ticket #1234', minutes: 30 });
    expect(response.status).toBe(404);
  });

  it('a tenant owner who is no super-admin cannot ask (403), nor list or end sessions', async () => {
    const asked = await t.request('POST', `/api/v1/admin/tenants/${other.tenant!.id}/support-access`, {
      headers: owner.headers,
      body: { reason: 'Let me in please', minutes: 30 },
    });
    expect(asked.status).toBe(403);
    expect((await t.request('GET', '/api/v1/admin/support-access', { headers: owner.headers })).status).toBe(403);
    expect((await t.request('DELETE', `/api/v1/admin/support-access/${randomUUID()}`, { headers: owner.headers })).status).toBe(403);
    expect(await sessionsOf(other.tenant!.id)).toEqual([]);
  });
});

describe('without approval required: read-only access at once', () => {
  it('lets the operator read, refuses writes, and records every request in both logs with the reason', async () => {
    const tenant = owner.tenant!;
    expect((await t.request('GET', '/api/v1/members', { headers: asOperator(tenant) })).status).toBe(403);

    const asked = await ask(tenant.id, { reason: 'Ticket #4711: invoices missing', minutes: 30 });
    expect(asked.status).toBe(201);
    expect(asked.body.data).toMatchObject({
      tenant_id: tenant.id,
      operator: { user_id: operator.id, email: operator.email },
      reason: 'Ticket #4711: invoices missing',
      minutes: 30,
      status: 'active',
      read_only: true,
      role: null,
      ended_at: null,
    });
    const { id, expires_at: expiresAt, decided_at: decidedAt } = asked.body.data;
    expect(Date.parse(expiresAt) - Date.parse(decidedAt)).toBe(30 * 60_000);

    // The owners are told (in their inbox, and by mail once the delivery job ran), and the console lists it.
    await t.drainJobs();
    const mail = await t.mailbox(owner.email);
    expect(mail.at(-1)?.subject).toBe(`Support access to ${tenant.name} requested`);
    expect(mail.at(-1)?.text).toContain('Ticket #4711: invoices missing');
    expect(mail.at(-1)?.text).toContain('it is active now');
    const listed = await t.request('GET', '/api/v1/support-access', { headers: owner.headers });
    expect(listed.body.data.map((session: { id: string; status: string }) => [session.id, session.status])).toEqual([[id, 'active']]);

    // A second request while one runs: 409, nothing written.
    expect((await ask(tenant.id, { reason: 'Another one please', minutes: 10 })).status).toBe(409);
    expect(await sessionsOf(tenant.id)).toHaveLength(1);

    const members = await t.request('GET', '/api/v1/members', { headers: asOperator(tenant) });
    expect(members.status).toBe(200);
    expect(members.body.data.map((member: { email: string }) => member.email)).toContain(owner.email);
    const write = await t.request('POST', '/api/v1/roles', { headers: asOperator(tenant), body: { name: 'Sneaky', permissions: [] } });
    expect(write.status).toBe(403);
    expect(write.body.code).toBe('support_read_only');
    expect(await asSystem(t, (db) => db.query("select 1 from roles where tenant_id = $1 and name = 'Sneaky'", [tenant.id]))).toEqual([]);

    const tenantLog = await asSystem(t, (db) =>
      db.query<{ actor_user_id: string; data: Record<string, unknown> }>(
        "select actor_user_id, data from audit_log where tenant_id = $1 and action = 'support.request' order by created_at",
        [tenant.id],
      ),
    );
    expect(tenantLog.map((entry) => [entry.data.method, entry.data.path])).toEqual([
      ['GET', '/api/v1/members'],
      ['POST', '/api/v1/roles'],
    ]);
    for (const entry of tenantLog) {
      expect(entry.actor_user_id).toBe(operator.id);
      expect(entry.data).toMatchObject({ reason: 'Ticket #4711: invoices missing', session_id: id });
    }
    const hostLog = await t.request('GET', `/api/v1/admin/audit-log?action=support.request&tenant_id=${tenant.id}`, { headers: asOperator() });
    expect(hostLog.body.data.map((entry: { data: { path: string; reason: string } }) => [entry.data.path, entry.data.reason])).toEqual([
      ['/api/v1/roles', 'Ticket #4711: invoices missing'],
      ['/api/v1/members', 'Ticket #4711: invoices missing'],
    ]);
    const requested = await asSystem(t, (db) =>
      db.query("select action from host_audit_log where subject_tenant = $1 and action like 'support.request%'", [tenant.id]),
    );
    expect(requested).toContainEqual({ action: 'support.requested' });

    // The operator ends it: refused at once, and both logs say so.
    const ended = await t.request('DELETE', `/api/v1/admin/support-access/${id}`, { headers: asOperator() });
    expect(ended.status).toBe(200);
    expect(ended.body.data).toMatchObject({ status: 'ended', ended_by: 'operator' });
    expect((await t.request('GET', '/api/v1/members', { headers: asOperator(tenant) })).status).toBe(403);
    expect((await t.request('DELETE', `/api/v1/admin/support-access/${id}`, { headers: asOperator() })).status).toBe(409);
    const endings = await asSystem(t, (db) =>
      db.query(
        "select 'tenant' as log from audit_log where target_id = $1 and action = 'support.ended' union all select 'host' from host_audit_log where target_id = $1 and action = 'support.ended'",
        [id],
      ),
    );
    expect(endings).toHaveLength(2);
  });

  it('with a role asked for and no approval required, acts with that role', async () => {
    const tenant = other.tenant!;
    const asked = await ask(tenant.id, { reason: 'Fixing a broken role', minutes: 15, role_id: await roleId(tenant.id, 'admin') });
    expect(asked.body.data).toMatchObject({ status: 'active', read_only: false, role: { name: 'admin' } });
    const created = await t.request('POST', '/api/v1/roles', { headers: asOperator(tenant), body: { name: 'Support-made', permissions: [] } });
    expect(created.status).toBe(201);
    // The role's permissions and no more: admins do not decide support access.
    expect((await t.request('GET', '/api/v1/support-access', { headers: asOperator(tenant) })).status).toBe(403);
  });
});

describe('the owners are told in their language', () => {
  it('mails an owner who chose Arabic in Arabic', async () => {
    const tenant = other.tenant!;
    expect((await t.request('PATCH', '/api/v1/me', { headers: other.headers, body: { locale: 'ar' } })).status).toBe(200);
    expect((await ask(tenant.id, { reason: 'Ticket #12: مشكلة في الفواتير', minutes: 90 })).status).toBe(201);
    await t.drainJobs();
    const mail = (await t.mailbox(other.email)).at(-1);
    expect(mail?.subject).toBe(`طلب وصول الدعم إلى ${tenant.name}`);
    expect(mail?.text).toContain('Ticket #12: مشكلة في الفواتير');
    expect(mail?.text).toContain(`/t/${tenant.slug}/support-access`);
  });
});

describe('with approval required', () => {
  it('refuses a setting that is no boolean', async () => {
    const response = await t.request('PATCH', '/api/v1/tenant', { headers: owner.headers, body: { settings: { support_access_approval: 'yes' } } });
    expect(response.status).toBe(422);
  });

  it('waits for an owner; the approved role applies; time counts from approval; it expires by itself', async () => {
    const tenant = owner.tenant!;
    await setApproval(owner, true);
    const asked = await ask(tenant.id, { reason: 'Ticket #99: set up roles', minutes: 20, role_id: await roleId(tenant.id, 'admin') });
    expect(asked.status).toBe(201);
    expect(asked.body.data).toMatchObject({ status: 'pending', expires_at: null, requested_role: { name: 'admin' }, role: null });
    const { id } = asked.body.data;
    await t.drainJobs();
    expect((await t.mailbox(owner.email)).at(-1)?.text).toContain('only once an owner approves it');

    expect((await t.request('GET', '/api/v1/members', { headers: asOperator(tenant) })).status).toBe(403);

    clockOffsetMs = 5 * 60_000; // approved five minutes later: the twenty minutes start then
    const approved = await t.request('POST', `/api/v1/support-access/${id}/approve`, {
      headers: owner.headers,
      body: { role_id: await roleId(tenant.id, 'viewer') },
    });
    expect(approved.status).toBe(200);
    expect(approved.body.data).toMatchObject({ status: 'active', read_only: false, role: { name: 'viewer' } });
    expect(Date.parse(approved.body.data.expires_at) - Date.parse(approved.body.data.decided_at)).toBe(20 * 60_000);
    expect((await t.request('POST', `/api/v1/support-access/${id}/approve`, { headers: owner.headers, body: {} })).status).toBe(409);

    expect((await t.request('GET', '/api/v1/members', { headers: asOperator(tenant) })).status).toBe(200);
    // A viewer may not create roles: the approved role, not the one asked for.
    expect((await t.request('POST', '/api/v1/roles', { headers: asOperator(tenant), body: { name: 'Nope', permissions: [] } })).status).toBe(403);

    clockOffsetMs = 26 * 60_000; // one minute past the end
    expect((await t.request('GET', '/api/v1/members', { headers: asOperator(tenant) })).status).toBe(403);
    const listed = await t.request('GET', '/api/v1/support-access?status=expired', { headers: owner.headers });
    expect(listed.body.data.map((session: { id: string }) => session.id)).toEqual([id]);
    const mine = await t.request('GET', `/api/v1/admin/support-access?tenant_id=${tenant.id}&status=expired`, { headers: asOperator() });
    expect(mine.body.data).toMatchObject([{ id, status: 'expired', tenant: { id: tenant.id, slug: tenant.slug } }]);
    // Over: neither side can end it any more, and a new request may be made.
    expect((await t.request('POST', `/api/v1/support-access/${id}/end`, { headers: owner.headers })).status).toBe(409);
  });

  it('ends at once when the tenant ends it; a denied request never opens', async () => {
    const tenant = owner.tenant!;
    await setApproval(owner, true);
    const first = await ask(tenant.id, { reason: 'Ticket #100: data check', minutes: 60 });
    const approved = await t.request('POST', `/api/v1/support-access/${first.body.data.id}/approve`, { headers: owner.headers, body: {} });
    expect(approved.body.data).toMatchObject({ status: 'active', read_only: true, role: null });
    expect((await t.request('GET', '/api/v1/members', { headers: asOperator(tenant) })).status).toBe(200);
    const ended = await t.request('POST', `/api/v1/support-access/${first.body.data.id}/end`, { headers: owner.headers });
    expect(ended.body.data).toMatchObject({ status: 'ended', ended_by: 'tenant' });
    expect((await t.request('GET', '/api/v1/members', { headers: asOperator(tenant) })).status).toBe(403);

    const second = await ask(tenant.id, { reason: 'Ticket #101: again', minutes: 60 });
    const denied = await t.request('POST', `/api/v1/support-access/${second.body.data.id}/deny`, { headers: owner.headers });
    expect(denied.body.data.status).toBe('denied');
    expect((await t.request('POST', `/api/v1/support-access/${second.body.data.id}/approve`, { headers: owner.headers, body: {} })).status).toBe(409);
    expect((await t.request('GET', '/api/v1/members', { headers: asOperator(tenant) })).status).toBe(403);

    const actions = await asSystem(t, (db) =>
      db.query<{ action: string }>('select action from audit_log where tenant_id = $1 and target_id = any($2::text[]) order by created_at', [
        tenant.id,
        [first.body.data.id, second.body.data.id],
      ]),
    );
    expect(actions.map((entry) => entry.action).filter((action) => action !== 'support.request')).toEqual([
      'support.requested',
      'support.approved',
      'support.ended',
      'support.requested',
      'support.denied',
    ]);
  });
});

describe('tenant side: who may decide', () => {
  it("another tenant's session is 404 on this tenant's routes", async () => {
    const asked = await ask(other.tenant!.id, { reason: 'Ticket #7: other tenant', minutes: 10 });
    const { id } = asked.body.data;
    for (const action of ['approve', 'deny', 'end']) {
      const response = await t.request('POST', `/api/v1/support-access/${id}/${action}`, {
        headers: owner.headers,
        body: action === 'approve' ? {} : undefined,
      });
      expect(response.status).toBe(404);
    }
    expect((await asSystem(t, (db) => db.one<{ status: string }>('select status from support_sessions where id = $1', [id])))!.status).toBe('active');
  });

  it('an admin (no core.support.manage) cannot list or decide: 403', async () => {
    const admin = await signUpMember(t, owner.tenant!, ['admin']);
    expect((await t.request('GET', '/api/v1/support-access', { headers: admin.headers })).status).toBe(403);
    expect((await t.request('POST', `/api/v1/support-access/${randomUUID()}/end`, { headers: admin.headers })).status).toBe(403);
  });

  it('an unknown session: 404', async () => {
    expect((await t.request('POST', `/api/v1/support-access/${randomUUID()}/deny`, { headers: owner.headers })).status).toBe(404);
  });
});

describe('the kernel service (what the request pipeline asks)', () => {
  it('answers a running session from its cache, yet never past its end by the kernel clock', async () => {
    const { supportAccess } = t.kernel.services;
    const tenant = other.tenant!;
    expect(await supportAccess.accessOf(tenant.id, operator.id)).toBeUndefined();
    const asked = await ask(tenant.id, { reason: 'Ticket #8: cache check', minutes: 2 });
    const session = await supportAccess.accessOf(tenant.id, operator.id);
    expect(session).toMatchObject({
      id: asked.body.data.id,
      operatorUserId: operator.id,
      reason: 'Ticket #8: cache check',
      readOnly: true,
      access: { kind: 'support', permissions: ['*'], unitGrants: [] },
    });
    // Cached now (a hit answers without a promise) — and still refused once the clock passes the end.
    expect(supportAccess.accessOf(tenant.id, operator.id)).not.toBeInstanceOf(Promise);
    clockOffsetMs = 2 * 60_000;
    expect(await supportAccess.accessOf(tenant.id, operator.id)).toBeUndefined();
  });
});
