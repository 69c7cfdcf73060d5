import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTokenPrefix } from '../../src/auth/api-token-auth.js';
import { sha256 } from '../../src/crypto/secrets.js';
import { coreRoutes } from '../../src/http/core-routes.js';
import { setTxtLookupForTests } from '../../src/tenancy/domain-verification.js';
import { createTestKernel, signUp, type TestKernel } from '../../src/testing/index.js';
import { asSystem } from './fixtures.js';
import { pathOf, recordlessTenantRoutes, served, tenantResources, type SuiteTenant } from './tenant-resources.js';

let t: TestKernel;
let a: SuiteTenant;
let b: SuiteTenant;
/** B's callers: its owner, and an API token of B holding `*`. */
let bCallers: { name: string; headers: Record<string, string> }[];
/** Per resource: A's seeded ids, B's own seeded id, and B's list total before A seeded anything. */
const seeds = new Map<string, { a: string[]; b: string; bTotal: number | undefined }>();
let restoreLookup: () => void;

async function suiteTenant(): Promise<SuiteTenant> {
  const owner = await signUp(t, { tenant: true });
  const [role] = await asSystem(t, (db) => db.query<{ id: string }>("select id from roles where tenant_id = $1 and builtin = 'member'", [owner.tenant!.id]));
  return { owner, id: owner.tenant!.id, slug: owner.tenant!.slug, memberRoleId: role!.id };
}

async function apiTokenOf(tenant: SuiteTenant): Promise<string> {
  const secret = `${apiTokenPrefix}${randomUUID().replaceAll('-', '')}`;
  await asSystem(t, (db) =>
    db.query("insert into api_tokens (tenant_id, name, token_hash, prefix, permissions, created_by) values ($1, 'all', $2, 'x', '{*}', $3)", [
      tenant.id,
      sha256(secret),
      tenant.owner.id,
    ]),
  );
  return secret;
}

const listTotal = async (path: string, headers: Record<string, string>) => {
  const response = await t.request('GET', `/api/v1${path}?per_page=100`, { headers });
  expect(response.status, `GET ${path}: ${JSON.stringify(response.body)}`).toBe(200);
  return { total: response.body.meta.pagination.total as number, text: JSON.stringify(response.body) };
};

const existing = tenantResources.filter(
  (resource) => (resource.list && served('GET', resource.list)) || resource.items.some((op) => served(op.method, op.route)),
);

beforeAll(async () => {
  t = await createTestKernel();
  restoreLookup = setTxtLookupForTests(async () => []);
  a = await suiteTenant();
  b = await suiteTenant();
  bCallers = [
    { name: "B's owner", headers: b.owner.headers },
    { name: "B's API token", headers: { authorization: `Bearer ${await apiTokenOf(b)}`, 'x-tenant': b.slug } },
  ];
  for (const resource of existing) {
    const own = await resource.seed(t, b);
    const bTotal = resource.list && served('GET', resource.list) ? (await listTotal(resource.list, b.owner.headers)).total : undefined;
    seeds.set(resource.name, { a: [await resource.seed(t, a), await resource.seed(t, a)], b: own, bTotal });
  }
});
afterAll(async () => {
  restoreLookup();
  await t.close();
});

describe('tenant B against tenant A, endpoint by endpoint', () => {
  it('covers at least the resources built so far', () => {
    expect(existing.map((resource) => resource.name)).toEqual(expect.arrayContaining(['tenant/domains', 'audit-log']));
  });

  it('has a case for every tenant-scoped route core serves (add new routes to tenant-resources.ts)', () => {
    const covered = new Set([
      ...recordlessTenantRoutes,
      ...tenantResources.flatMap((resource) => [...(resource.list ? [`GET ${resource.list}`] : []), ...resource.items.map((op) => `${op.method} ${op.route}`)]),
    ]);
    const tenantRoutes = coreRoutes.filter((route) => 'permission' in route.access || 'member' in route.access).map((route) => `${route.method} ${route.path}`);
    expect(tenantRoutes.filter((route) => !covered.has(route))).toEqual([]);
  });

  describe.each(existing.filter((resource) => resource.list && served('GET', resource.list)).map((resource) => [resource.name, resource] as const))(
    'GET %s',
    (name, resource) => {
      it.each([
        ["B's owner", 0],
        ["B's API token", 1],
      ])("never lists A's rows, and counts B's only, as %s", async (_caller, caller) => {
        const seed = seeds.get(name)!;
        const { total, text } = await listTotal(resource.list!, bCallers[caller]!.headers);
        expect(total).toBe(seed.bTotal);
        expect(text).toContain(seed.b);
        for (const foreign of [...seed.a, a.id, a.owner.id]) expect(text).not.toContain(foreign);
        const beyond = await t.request('GET', `/api/v1${resource.list}?per_page=1&page=${total + 1}`, { headers: bCallers[caller]!.headers });
        expect(beyond.body.data).toEqual([]);
        // The control: A sees its own rows through the same route.
        expect((await listTotal(resource.list!, a.owner.headers)).text).toContain(seed.a[0]);
      });
    },
  );

  const itemCases = existing.flatMap((resource) =>
    resource.items.filter((op) => served(op.method, op.route)).map((op) => [`${op.method} ${op.route}`, resource, op] as const),
  );
  describe.each(itemCases)('%s', (_label, resource, op) => {
    it("answers 404 (never 403) to B for A's record and changes nothing; A itself is not refused", async () => {
      const [target] = seeds.get(resource.name)!.a;
      const before = await resource.snapshot(t, target!);
      expect(before).toBeTruthy();
      for (const caller of bCallers) {
        const response = await t.request(op.method, pathOf(op.route, target!), { headers: caller.headers, body: op.body?.(b) });
        expect(response.status, `${caller.name}: ${JSON.stringify(response.body)}`).toBe(404);
        expect(response.body.code).toBe('not_found');
      }
      expect(await resource.snapshot(t, target!)).toEqual(before);
      const own = await t.request(op.method, pathOf(op.route, seeds.get(resource.name)!.a[1]!), { headers: a.owner.headers, body: op.body?.(a) });
      expect(own.status, JSON.stringify(own.body)).not.toBe(404);
      expect(own.status).toBeLessThan(500);
    });
  });
});

describe("references to A's records inside B's requests", () => {
  it("cannot give B's member one of A's roles", async () => {
    const member = seeds.get('members')!.b;
    const before = await tenantResources[0]!.snapshot(t, member);
    const response = await t.request('PATCH', `/api/v1/members/${member}`, { headers: b.owner.headers, body: { roles: [a.memberRoleId] } });
    expect([404, 422]).toContain(response.status);
    expect(await tenantResources[0]!.snapshot(t, member)).toEqual(before);
  });

  it("cannot invite into B with one of A's roles", async () => {
    const response = await t.request('POST', '/api/v1/invitations', { headers: b.owner.headers, body: { email: 'x@example.test', roles: [a.memberRoleId] } });
    expect([404, 422]).toContain(response.status);
    const [row] = await asSystem(t, (db) => db.query<{ n: number }>("select count(*) as n from invitations where email = 'x@example.test'"));
    expect(row!.n).toBe(0);
  });

  it("answers 404 for A's built-in roles too (not 409 'built-in')", async () => {
    const [owner] = await asSystem(t, (db) => db.query<{ id: string }>("select id from roles where tenant_id = $1 and builtin = 'owner'", [a.id]));
    expect((await t.request('DELETE', `/api/v1/roles/${owner!.id}`, { headers: b.owner.headers })).status).toBe(404);
    expect((await t.request('PATCH', `/api/v1/roles/${owner!.id}`, { headers: b.owner.headers, body: { name: 'mine' } })).status).toBe(404);
  });
});

describe('the tenant itself', () => {
  it("GET /tenant gives B its own tenant; PATCH /tenant in B leaves A's untouched", async () => {
    const response = await t.request('GET', '/api/v1/tenant', { headers: b.owner.headers });
    expect(response.body.data.id).toBe(b.id);
    expect(JSON.stringify(response.body)).not.toContain(a.id);
    expect((await t.request('PATCH', '/api/v1/tenant', { headers: b.owner.headers, body: { name: 'B renamed' } })).status).toBe(200);
    const [row] = await asSystem(t, (db) => db.query<{ name: string }>('select name from tenants where id = $1', [a.id]));
    expect(row!.name).toBe(a.owner.tenant!.name);
  });

  it("refuses B's owner in A (not a member) and B's API token in A (unknown there)", async () => {
    const asMember = await t.request('GET', '/api/v1/audit-log', { headers: { ...b.owner.headers, 'x-tenant': a.slug } });
    expect(asMember.status).toBe(403);
    const asToken = await t.request('GET', '/api/v1/audit-log', { headers: { ...bCallers[1]!.headers, 'x-tenant': a.id } });
    expect(asToken.status).toBe(401);
  });
});
