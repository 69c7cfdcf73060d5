import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { asSystem, signUpMember } from '../isolation/fixtures.js';

let t: TestKernel;
let owner: TestUser;
/** A tenant whose log holds only the seeded entries below. */
let seeded: TestUser;
const actorA = randomUUID();
const actorB = randomUUID();

// Newest last; `created_at` is set explicitly so ordering and time filters are exact.
const seeds = [
  { action: 'member.added', actor: actorA, at: '2024-01-10T09:00:00Z' },
  { action: 'member.removed', actor: actorB, at: '2024-01-20T23:59:59Z' },
  { action: 'membership.changed', actor: actorA, at: '2024-01-21T00:00:00Z' },
  { action: 'role.created', actor: actorA, at: '2024-02-01T12:00:00Z' },
  { action: 'member.roles_changed', actor: actorB, at: '2024-02-02T12:00:00Z' },
];

beforeAll(async () => {
  t = await createTestKernel();
  owner = await signUp(t, { tenant: true });
  seeded = await signUp(t, { tenant: true });
  await asSystem(t, async (db) => {
    for (const seed of seeds) {
      await db.query(
        `insert into audit_log (tenant_id, actor_user_id, action, target_type, target_id, data, ip, user_agent, request_id, created_at)
         values ($1, $2, $3, 'thing', 'thing-1', '{"n": 1}', '203.0.113.9', 'seed-agent', 'seed-request', $4)`,
        [seeded.tenant!.id, seed.actor, seed.action, seed.at],
      );
    }
  });
});
afterAll(() => t.close());

async function actions(query: string, user = seeded) {
  const response = await t.request('GET', `/api/v1/audit-log${query}`, { headers: user.headers });
  expect(response.status).toBe(200);
  return { actions: response.body.data.map((entry: { action: string }) => entry.action) as string[], pagination: response.body.meta.pagination };
}

describe('GET /audit-log', () => {
  it('shows who did what, to what, from where, with the request id of the change', async () => {
    const change = await t.request('POST', '/api/v1/tenant/domains', {
      headers: { ...owner.headers, 'user-agent': 'audit-test/1.0' },
      body: { domain: 'audited.example.com' },
    });
    expect(change.status).toBe(201);
    const response = await t.request('GET', '/api/v1/audit-log', { headers: owner.headers });
    expect(response.status).toBe(200);
    const entry = response.body.data.find((row: { action: string }) => row.action === 'domain.added');
    expect(entry).toEqual({
      id: expect.any(String),
      action: 'domain.added',
      actor: { user_id: owner.id, email: owner.email, name: expect.any(String), token_id: null },
      target: { type: 'domain', id: change.body.data.id },
      unit: null,
      data: { domain: 'audited.example.com' },
      ip: expect.stringContaining('127.0.0.1'),
      user_agent: 'audit-test/1.0',
      request_id: change.headers.get('x-request-id'),
      created_at: expect.any(String),
    });
  });

  it('lists newest first with pagination totals', async () => {
    const all = await actions('');
    expect(all.actions).toEqual(seeds.map((seed) => seed.action).reverse());
    expect(all.pagination).toEqual({ page: 1, per_page: 20, total: 5, total_pages: 1 });
    const page = await actions('?per_page=2&page=2');
    expect(page.actions).toEqual(['membership.changed', 'member.removed']);
    expect(page.pagination).toEqual({ page: 2, per_page: 2, total: 5, total_pages: 3 });
    expect((await actions('?page=9')).actions).toEqual([]);
  });

  it('filters by exact action, or by a dotted prefix (`member.` or `member.*`) that does not match `membership.`', async () => {
    expect((await actions('?action=member.removed')).actions).toEqual(['member.removed']);
    expect((await actions('?action=member')).actions).toEqual([]);
    expect((await actions('?action=member.')).actions).toEqual(['member.roles_changed', 'member.removed', 'member.added']);
    const wildcard = await actions('?action=member.*');
    expect(wildcard.actions).toEqual(['member.roles_changed', 'member.removed', 'member.added']);
    expect(wildcard.pagination.total).toBe(3);
  });

  it('treats `_` in an action prefix literally', async () => {
    expect((await actions('?action=member.roles_.')).actions).toEqual([]);
    expect((await actions('?action=member.roles_changed')).actions).toEqual(['member.roles_changed']);
  });

  it('filters by actor', async () => {
    const byB = await actions(`?actor_user_id=${actorB}`);
    expect(byB.actions).toEqual(['member.roles_changed', 'member.removed']);
    expect((await actions(`?actor_user_id=${randomUUID()}`)).actions).toEqual([]);
  });

  it('filters by time: a date-only `to` includes that whole day; date-times are exact', async () => {
    expect((await actions('?from=2024-01-20&to=2024-01-20')).actions).toEqual(['member.removed']);
    expect((await actions('?from=2024-01-21&to=2024-02-01')).actions).toEqual(['role.created', 'membership.changed']);
    expect((await actions('?to=2024-01-21T00:00:00Z')).actions).toEqual(['membership.changed', 'member.removed', 'member.added']);
    expect((await actions('?from=2024-02-01T12:00:00.001Z')).actions).toEqual(['member.roles_changed']);
    expect((await actions('?from=2024-01-20T23:59:59%2B01:00&action=member.')).actions).toEqual(['member.roles_changed', 'member.removed']);
  });

  it.each([
    ['?action=Member Added', 'action'],
    ['?action=member.%25', 'action'],
    ['?actor_user_id=nobody', 'actor_user_id'],
    ['?from=yesterday', 'from'],
    ['?from=2024-13-45', 'from'],
    ['?to=2024-02-30T25:00:00Z', 'to'],
    ['?from=2024-02-02&to=2024-02-01', 'from'],
    ['?per_page=101', 'per_page'],
    ['?page=0', 'page'],
    ['?actor=someone', 'actor'],
    ['?unit=college', 'unit'],
    ['?target_type=Course', 'target_type'],
    ['?target_id=', 'target_id'],
  ])('answers 422 naming the parameter for %s', async (query, field) => {
    const response = await t.request('GET', `/api/v1/audit-log${query}`, { headers: seeded.headers });
    expect(response.status).toBe(422);
    expect(Object.keys(response.body.errors)).toEqual([field]);
  });

  it("shows only the request's tenant", async () => {
    const other = await actions('', owner);
    expect(other.actions).not.toContain('member.added');
    const [count] = await asSystem(t, (db) => db.query<{ n: number }>('select count(*) as n from audit_log where tenant_id = $1', [owner.tenant!.id]));
    expect(other.pagination.total).toBe(count!.n);
  });

  it('needs core.audit.view (403 for members and viewers), a token (401) and a tenant (400)', async () => {
    for (const role of ['member', 'viewer']) {
      const user = await signUpMember(t, seeded.tenant!, [role]);
      const response = await t.request('GET', '/api/v1/audit-log', { headers: user.headers });
      expect(response.status).toBe(403);
    }
    const admin = await signUpMember(t, seeded.tenant!, ['admin']);
    expect((await t.request('GET', '/api/v1/audit-log', { headers: admin.headers })).status).toBe(200);
    expect((await t.request('GET', '/api/v1/audit-log', { headers: { 'x-tenant': seeded.tenant!.slug } })).status).toBe(401);
    const noTenant = await t.request('GET', '/api/v1/audit-log', { headers: { authorization: seeded.headers.authorization! } });
    expect(noTenant.body.code).toBe('tenant_required');
  });
});
