import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retentionJob } from '../../src/audit/audit-retention.js';
import { runInTenant } from '../../src/db/scoped-db.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { asSystem, signUpMember } from '../isolation/fixtures.js';

let clockOffsetMs = 0;
let t: TestKernel;
let owner: TestUser;
/** Admin of College A only (a role held in that unit): reaches A and its department. */
let collegeAdmin: TestUser;
const units: Record<'a' | 'a1' | 'b', string> = { a: '', a1: '', b: '' };

async function post(path: string, body: unknown, user = owner) {
  const response = await t.request('POST', `/api/v1${path}`, { headers: user.headers, body });
  if (response.status !== 201) throw new Error(`${path}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.data;
}

/** One entry written on the system path, as any part of the kernel leaves them. */
function seed(tenantId: string, entry: { action: string; unit?: string | null; targetType?: string; targetId?: string; at?: string; data?: unknown }) {
  return asSystem(t, (db) =>
    db.query(
      `insert into audit_log (tenant_id, action, unit_id, target_type, target_id, data, created_at) values ($1, $2, $3, $4, $5, $6, coalesce($7::timestamptz, now()))`,
      [tenantId, entry.action, entry.unit ?? null, entry.targetType ?? null, entry.targetId ?? null, entry.data ?? {}, entry.at ?? null],
    ),
  );
}

beforeAll(async () => {
  t = await createTestKernel({ services: { clock: () => ({ now: () => new Date(Date.now() + clockOffsetMs) }) } });
  owner = await signUp(t, { tenant: true });
  units.a = (await post('/units', { name: 'College A', kind: 'college' })).id;
  units.a1 = (await post('/units', { name: 'Physics', kind: 'department', parent_id: units.a })).id;
  units.b = (await post('/units', { name: 'College B', kind: 'college' })).id;
  collegeAdmin = await signUpMember(t, owner.tenant!, []);
  const roles = await t.request('GET', '/api/v1/roles', { headers: owner.headers });
  const admin = (roles.body.data as { id: string; name: string }[]).find((role) => role.name === 'admin')!;
  await post(`/members/${collegeAdmin.id}/unit-roles`, { role_id: admin.id, unit_id: units.a });
  const tenant = owner.tenant!.id;
  await seed(tenant, { action: 'test.course.created', unit: units.a, targetType: 'course', targetId: 'c-a' });
  await seed(tenant, { action: 'test.course.created', unit: units.a1, targetType: 'course', targetId: 'c-a1' });
  await seed(tenant, { action: 'test.course.created', unit: units.b, targetType: 'course', targetId: 'c-b' });
  await seed(tenant, { action: 'test.setting.changed', targetType: 'setting', targetId: 'c-a' });
});
afterAll(() => t.close());

async function list(query: string, user = owner) {
  const response = await t.request('GET', `/api/v1/audit-log${query}`, { headers: user.headers });
  expect(response.status).toBe(200);
  return response.body as {
    data: { action: string; target: { type: string; id: string }; unit: { id: string; label: string | null } | null }[];
    meta: { pagination: { total: number } };
  };
}
const targets = async (query: string, user = owner) => (await list(query, user)).data.map((entry) => entry.target.id);

describe('audit log filters', () => {
  it('filter by target type and id', async () => {
    expect(await targets('?action=test.&target_type=course')).toEqual(['c-b', 'c-a1', 'c-a']);
    expect(await targets('?action=test.&target_id=c-a')).toEqual(['c-a', 'c-a']);
    expect(await targets('?target_type=course&target_id=c-a')).toEqual(['c-a']);
    expect(await targets('?target_type=course&target_id=nothing')).toEqual([]);
  });

  it('filter by unit: that unit and every unit below it', async () => {
    expect(await targets(`?unit=${units.a}`)).toEqual(['c-a1', 'c-a']);
    expect(await targets(`?unit=${units.a1}`)).toEqual(['c-a1']);
    expect(await targets(`?unit=${units.b}`)).toEqual(['c-b']);
    expect(await targets('?unit=00000000-0000-4000-8000-000000000000')).toEqual([]);
  });

  it("show each entry's unit with its path", async () => {
    const { data } = await list(`?unit=${units.a}`);
    expect(data.map((entry) => entry.unit)).toEqual([
      { id: units.a1, label: 'College A › Physics' },
      { id: units.a, label: 'College A' },
    ]);
  });
});

describe('a reader whose role is held in units', () => {
  it("sees only their units' entries (not another college's, not the whole tenant's), with no filter asked", async () => {
    const seen = await list('?action=test.', collegeAdmin);
    expect(seen.data.map((entry) => entry.target.id)).toEqual(['c-a1', 'c-a']);
    expect(seen.meta.pagination.total).toBe(2);
    expect(await targets(`?unit=${units.b}`, collegeAdmin)).toEqual([]);
    expect(await targets('?action=test.')).toEqual(['c-a', 'c-b', 'c-a1', 'c-a']);
  });

  it('exports only those entries too', async () => {
    const response = await t.request('GET', '/api/v1/audit-log/export?action=test.', { headers: collegeAdmin.headers });
    expect(response.status).toBe(200);
    const lines = (response.body as string).trim().split('\r\n');
    expect(lines.slice(1).map((line) => line.split(',')[5])).toEqual(['c-a1', 'c-a']);
  });
});

describe('the log is append-only for tenant work', () => {
  it('refuses updates and deletes of entries as the runtime role, even of its own tenant', async () => {
    const inTenant = <T>(sql: string) => runInTenant(t.kernel.services.database, owner.tenant!.id, (db) => db.query<T>(sql));
    await expect(inTenant("update audit_log set action = 'forged'")).rejects.toMatchObject({
      code: '42501',
      message: expect.stringContaining('permission denied'),
    });
    await expect(inTenant('delete from audit_log')).rejects.toMatchObject({ code: '42501', message: expect.stringContaining('permission denied') });
    // Inserting (recording) and reading stay allowed.
    await inTenant("insert into audit_log (action) values ('test.appended')");
    const [row] = await inTenant<{ n: number }>("select count(*)::int as n from audit_log where action = 'test.appended'");
    expect(row!.n).toBe(1);
  });
});

describe('GET /audit-log/export', () => {
  it('streams the filtered entries as CSV for download, newest first, formulas defused, changes and data as JSON', async () => {
    const tenant = owner.tenant!.id;
    await seed(tenant, {
      action: 'test.item.updated',
      unit: units.a1,
      targetType: 'item',
      targetId: '=cmd()',
      data: { changes: { name: { from: 'a', to: 'b, "c"' } }, note: 'x' },
      at: '2025-03-01T10:00:00Z',
    });
    const response = await t.request('GET', '/api/v1/audit-log/export?target_type=item', { headers: owner.headers });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="audit-log.csv"');
    // jsonb keeps an object's keys shortest first: `to` before `from`.
    expect(response.body).toBe(
      'time,actor_email,actor_token_id,action,target_type,target_id,unit,changes,data,ip,request_id\r\n' +
        `2025-03-01T10:00:00.000Z,,,test.item.updated,item,'=cmd(),College A › Physics,"{""name"":{""to"":""b, \\""c\\"""",""from"":""a""}}","{""note"":""x""}",,\r\n`,
    );
  });

  it("names the member who acted, by email, and takes the list's filters (422 on bad ones)", async () => {
    expect((await t.request('POST', '/api/v1/tenant/domains', { headers: owner.headers, body: { domain: 'exported.example.com' } })).status).toBe(201);
    const response = await t.request('GET', '/api/v1/audit-log/export?action=domain.added', { headers: owner.headers });
    const [, line] = (response.body as string).split('\r\n');
    expect(line).toMatch(new RegExp(`^\\d{4}-.+Z,${owner.email.replace('.', '\\.')},,domain\\.added,domain,`));
    const bad = await t.request('GET', '/api/v1/audit-log/export?from=2025-02-02&to=2025-02-01', { headers: owner.headers });
    expect(bad.status).toBe(422);
    expect((await t.request('GET', '/api/v1/audit-log/export?page=2', { headers: owner.headers })).status).toBe(422);
  });

  it('pages through a long log without skipping or repeating entries of the same instant', async () => {
    const bulk = await signUp(t, { tenant: true });
    await asSystem(t, (db) =>
      db.query(
        `insert into audit_log (tenant_id, action, target_type, target_id, created_at)
         select $1, 'test.bulk.made', 'bulk', 'n' || n, '2025-01-01T00:00:00.123456Z' from generate_series(1, 2105) n`,
        [bulk.tenant!.id],
      ),
    );
    const response = await t.request('GET', '/api/v1/audit-log/export?action=test.bulk.made', { headers: bulk.headers });
    expect(response.status).toBe(200);
    const ids = (response.body as string)
      .trim()
      .split('\r\n')
      .slice(1)
      .map((line) => line.split(',')[5]);
    expect(ids).toHaveLength(2105);
    expect(new Set(ids).size).toBe(2105);
  });

  it("holds none of another tenant's entries", async () => {
    const other = await signUp(t, { tenant: true });
    await seed(other.tenant!.id, { action: 'test.own.made' });
    const response = await t.request('GET', '/api/v1/audit-log/export', { headers: other.headers });
    expect(response.status).toBe(200);
    expect(response.body).toContain('test.own.made');
    for (const foreign of ['test.course.created', owner.email, owner.tenant!.id]) expect(response.body).not.toContain(foreign);
  });

  it('needs core.audit.view', async () => {
    const viewer = await signUpMember(t, owner.tenant!, ['member']);
    expect((await t.request('GET', '/api/v1/audit-log/export', { headers: viewer.headers })).status).toBe(403);
  });
});

describe('retention', () => {
  it("a daily job deletes entries older than the host's retention (365 days by default), of every tenant, on the system path", async () => {
    const other = await signUp(t, { tenant: true });
    const day = 86_400_000;
    const at = (daysAgo: number) => new Date(Date.now() - daysAgo * day).toISOString();
    await seed(owner.tenant!.id, { action: 'test.old.made', at: at(400) });
    await seed(other.tenant!.id, { action: 'test.old.made', at: at(366) });
    await seed(owner.tenant!.id, { action: 'test.recent.made', at: at(300) });
    const left = async () =>
      (await t.sql<{ action: string }>("select action from audit_log where action in ('test.old.made', 'test.recent.made') order by action")).map(
        (row) => row.action,
      );

    await t.kernel.services.jobs.enqueue(retentionJob, {});
    await t.drainJobs();
    expect(await left()).toEqual(['test.recent.made']);

    // 100 days later, the recent one is past the retention too.
    clockOffsetMs = 100 * day;
    await t.kernel.services.jobs.enqueue(retentionJob, {});
    await t.drainJobs();
    expect(await left()).toEqual([]);
    clockOffsetMs = 0;
  });
});
