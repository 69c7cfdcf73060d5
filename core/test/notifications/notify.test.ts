import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { bellPlugin } from './fixtures/bell-plugin.js';

let t: TestKernel;
let owner: TestUser;
let member: TestUser;
let other: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [bellPlugin] });
  owner = await signUp(t, { tenant: true });
  other = await signUp(t, { tenant: true });
  await t.enable(owner, 'bell');
  await t.enable(other, 'bell');
  member = await addMember(t, owner, ['member']);
}, 60_000);
afterAll(() => t.close());

const ring = (user: TestUser, body: Record<string, unknown>) => t.request('POST', '/api/v1/bell/ring', { headers: user.headers, body });
const inbox = (user: TestUser, query = '') => t.request('GET', `/api/v1/notifications${query}`, { headers: user.headers });
const notificationRow = (id: string) =>
  t.sql<{ status: string; failure: string | null; recipients: number }>('select status, failure, recipients from notifications where id = $1', [id]);

describe('notify', () => {
  it('puts a rendered item in the inbox of a member named by user id, with the plugin link under the console', async () => {
    const sent = await ring(owner, { to: { userId: member.id }, template: 'bell.rang', data: { name: 'Ada', count: 2, place: 'the gate' }, link: '/bells/1' });
    expect(sent.status).toBe(200);
    expect(sent.body.data).toMatchObject({ recipients: 1, failure: null, notification_id: expect.any(String) });
    const listed = await inbox(member);
    expect(listed.status).toBe(200);
    expect(listed.body.data).toEqual([
      {
        id: expect.any(String),
        category: 'bell.news',
        category_label: 'News',
        title: 'The bell rang for Ada',
        body: '2 rings at the gate.',
        url: `/t/${owner.tenant!.slug}/p/bell/bells/1`,
        read_at: null,
        created_at: expect.any(String),
      },
    ]);
    expect(listed.body.meta.pagination).toMatchObject({ total: 1, page: 1 });
    expect((await inbox(owner)).body.data).toEqual([]);
  });

  it('reaches the members holding a role, a permission, each person once', async () => {
    const byRole = await ring(owner, { to: [{ role: 'member' }, { userId: member.id }], template: 'bell.rang', data: { name: 'role', count: 1, place: 'x' } });
    expect(byRole.body.data.recipients).toBe(1);
    const byPermission = await ring(owner, { to: { permission: 'bell.bells.hear' }, template: 'bell.rang', data: { name: 'perm', count: 1, place: 'x' } });
    expect(byPermission.body.data.recipients).toBe(2);
    const titles = (await inbox(member)).body.data.map((item: { title: string }) => item.title);
    expect(titles.slice(0, 2)).toEqual(['The bell rang for perm', 'The bell rang for role']);
    expect((await inbox(owner)).body.data.map((item: { title: string }) => item.title)).toEqual(['The bell rang for perm']);
  });

  it('reaches the members with a role in a unit or any unit below it, and no one for another tenant’s unit', async () => {
    const unit = async (user: TestUser, name: string, parent?: string) => {
      const created = await t.request('POST', '/api/v1/units', {
        headers: user.headers,
        body: { name, kind: 'Department', ...(parent ? { parent_id: parent } : {}) },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      return created.body.data.id as string;
    };
    const college = await unit(owner, 'College');
    const department = await unit(owner, 'Department', college);
    const roles = await t.request('GET', '/api/v1/roles?per_page=100', { headers: owner.headers });
    const memberRole = roles.body.data.find((role: { name: string }) => role.name === 'member').id as string;
    const teacher = await addMember(t, owner, []);
    const given = await t.request('POST', `/api/v1/members/${teacher.id}/unit-roles`, {
      headers: owner.headers,
      body: { role_id: memberRole, unit_id: department },
    });
    expect(given.status).toBe(201);
    const sent = await ring(owner, { to: { unitId: college }, template: 'bell.alarm' });
    expect(sent.body.data).toMatchObject({ recipients: 1, failure: null });
    expect((await inbox(teacher)).body.data.map((item: { title: string }) => item.title)).toEqual(['Alarm']);
    const foreignUnit = await unit(other, 'Elsewhere');
    const refused = await ring(owner, { to: { unitId: foreignUnit }, template: 'bell.alarm' });
    expect(refused.body.data).toMatchObject({ recipients: 0, failure: expect.stringContaining('is not a unit of this tenant') });
  });

  it("records a person of another tenant as a failure and puts nothing in anyone's inbox", async () => {
    const before = await t.sql<{ n: number }>('select count(*)::int as n from notification_items');
    const sent = await ring(owner, { to: { userId: other.id }, template: 'bell.rang', data: { name: 'x', count: 1, place: 'y' } });
    expect(sent.status).toBe(200);
    expect(sent.body.data.recipients).toBe(0);
    expect(sent.body.data.failure).toContain('not a member or customer of this tenant');
    expect(await notificationRow(sent.body.data.notification_id)).toEqual([{ status: 'failed', failure: expect.stringContaining(other.id), recipients: 0 }]);
    expect(await t.sql('select count(*)::int as n from notification_items')).toEqual(before);
    expect((await inbox(other)).body.data).toEqual([]);
  });

  it('records an unknown template, or a missing placeholder, as a failure', async () => {
    const unknown = await ring(owner, { to: { userId: member.id }, template: 'bell.nope' });
    expect(unknown.body.data).toMatchObject({ recipients: 0, failure: expect.stringContaining('unknown template "bell.nope"') });
    expect(await notificationRow(unknown.body.data.notification_id)).toEqual([{ status: 'failed', failure: expect.any(String), recipients: 0 }]);
    const coreTemplate = await ring(owner, { to: { userId: member.id }, template: 'core.report-ready', data: { report: 'x' } });
    expect(coreTemplate.body.data.failure).toContain('unknown template');
    const missing = await ring(owner, { to: { userId: member.id }, template: 'bell.rang', data: { name: 'x' } });
    expect(missing.body.data.failure).toContain('cannot be rendered');
    const badLink = await ring(owner, { to: { userId: member.id }, template: 'bell.alarm', link: 'https://evil.example/x' });
    expect(badLink.body.data.failure).toContain('link');
    const otherTenantPage = await ring(owner, { to: { userId: member.id }, template: 'bell.alarm', link: `/c/${other.tenant!.slug}/account` });
    expect(otherTenantPage.body.data.failure).toContain('link');
    const nobody = await ring(owner, { to: [], template: 'bell.alarm' });
    expect(nobody.body.data.failure).toBe('no recipient given');
  });

  it('notifies once per key', async () => {
    const first = await ring(owner, { to: { userId: member.id }, template: 'bell.alarm', key: 'alarm-1' });
    expect(first.body.data.recipients).toBe(1);
    const again = await ring(owner, { to: { userId: member.id }, template: 'bell.alarm', key: 'alarm-1' });
    expect(again.body.data).toEqual({ notification_id: null, recipients: 0, failure: null });
    const items = await t.sql<{ n: number }>("select count(*)::int as n from notification_items where title = 'Alarm' and user_id = $1", [member.id]);
    expect(items).toEqual([{ n: 1 }]);
    // Another tenant's key is its own.
    const elsewhere = await ring(other, { to: { userId: other.id }, template: 'bell.alarm', key: 'alarm-1' });
    expect(elsewhere.body.data.recipients).toBe(1);
  });

  it("leaves nothing behind when the caller's transaction rolls back", async () => {
    const rolledBack = await ring(owner, { to: { userId: member.id }, template: 'bell.alarm', key: 'rolled', rollback: true });
    expect(rolledBack.status).toBe(409);
    expect(await t.sql("select id from notifications where key = 'rolled'")).toEqual([]);
    const retried = await ring(owner, { to: { userId: member.id }, template: 'bell.alarm', key: 'rolled' });
    expect(retried.body.data.recipients).toBe(1);
  });

  it('renders in the recipent’s language', async () => {
    const patched = await t.request('PATCH', '/api/v1/me', { headers: member.headers, body: { locale: 'ar' } });
    expect(patched.status).toBe(200);
    await ring(owner, { to: { userId: member.id }, template: 'bell.rang', data: { name: 'Ada', count: 3, place: 'الباب' } });
    const [item] = (await inbox(member)).body.data;
    expect(item).toMatchObject({ title: 'رنّ الجرس من أجل Ada', body: '3 رنات في الباب.', category_label: 'الأخبار' });
    await t.request('PATCH', '/api/v1/me', { headers: member.headers, body: { locale: null } });
  });
});

describe('the inbox', () => {
  it('counts unread, marks one read, then all; another person or tenant cannot read, mark or count them', async () => {
    const count = async (user: TestUser) =>
      (await t.request('GET', '/api/v1/notifications/unread-count', { headers: user.headers })).body.data.unread as number;
    const unread = await count(member);
    expect(unread).toBeGreaterThan(2);
    const [first] = (await inbox(member, '?unread=true&per_page=1')).body.data;
    expect((await t.request('POST', `/api/v1/notifications/${first.id}/read`, { headers: owner.headers })).status).toBe(404);
    const otherTenantHeaders = { ...member.headers, 'x-tenant': other.tenant!.slug };
    expect((await t.request('POST', `/api/v1/notifications/${first.id}/read`, { headers: otherTenantHeaders })).status).toBe(403);
    expect((await t.request('POST', `/api/v1/notifications/${first.id}/read`, { headers: other.headers })).status).toBe(404);
    expect(await count(member)).toBe(unread);
    const read = await t.request('POST', `/api/v1/notifications/${first.id}/read`, { headers: member.headers });
    expect(read.status).toBe(200);
    expect(read.body.data).toMatchObject({ id: first.id, read_at: expect.any(String) });
    expect(await count(member)).toBe(unread - 1);
    expect((await t.request('POST', '/api/v1/notifications/read-all', { headers: other.headers })).body.data).toEqual({ updated: expect.any(Number) });
    expect(await count(member)).toBe(unread - 1);
    expect((await t.request('POST', '/api/v1/notifications/read-all', { headers: member.headers })).body.data).toEqual({ updated: unread - 1 });
    expect(await count(member)).toBe(0);
    expect((await inbox(member, '?unread=true')).body.data).toEqual([]);
  });

  it('refuses an API token (an inbox belongs to a person)', async () => {
    const created = await t.request('POST', '/api/v1/api-tokens', { headers: owner.headers, body: { name: 'bot', permissions: ['*'] } });
    const token = created.body.data.token as string;
    const listed = await t.request('GET', '/api/v1/notifications', { headers: { authorization: `Bearer ${token}`, 'x-tenant': owner.tenant!.slug } });
    expect(listed.status).toBe(403);
  });
});
