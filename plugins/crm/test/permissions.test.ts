import { addMember, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmCall, crmKernel } from './helpers.js';

let t: TestKernel;
let owner: TestUser;
let viewer: TestUser;
let member: TestUser;
let admin: TestUser;
let campaignId = '';
beforeAll(async () => {
  ({ t, owner } = await crmKernel());
  [viewer, member, admin] = [await addMember(t, owner, ['viewer']), await addMember(t, owner, ['member']), await addMember(t, owner, ['admin'])];
  const call = crmCall(t, owner);
  await call('POST', '/contacts', { email: 'perm@example.com', tags: ['p'] });
  const segment = (await call('POST', '/segments', { name: 'P', filter: { tag: ['p'] } })).body.data.id;
  const template = (await call('POST', '/templates', { name: 'T', subject: 'S', html: 'h', text: 't' })).body.data.id;
  campaignId = (await call('POST', '/campaigns', { name: 'C', template_id: template, segment_id: segment })).body.data.id;
});
afterAll(() => t?.close());

const status = async (user: TestUser, method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  (await crmCall(t, user)(method, path, body, headers)).status;
const csv = { 'content-type': 'text/csv' };

describe('crm permissions', () => {
  it('crm.contacts.view: viewers read contacts and segments', async () => {
    expect(await status(viewer, 'GET', '/contacts')).toBe(200);
    expect(await status(viewer, 'GET', '/segments')).toBe(200);
  });

  it('crm.contacts.manage: members edit contacts, viewers do not', async () => {
    expect(await status(viewer, 'POST', '/contacts', { email: 'v@example.com' })).toBe(403);
    expect(await status(viewer, 'POST', '/segments', { name: 'x', filter: {} })).toBe(403);
    expect(await status(member, 'POST', '/contacts', { email: 'm@example.com' })).toBe(201);
  });

  it('crm.contacts.import: admins import, members do not', async () => {
    expect(await status(member, 'POST', '/contacts/import?dry_run=true', 'email\na@example.com\n', csv)).toBe(403);
    expect(await status(member, 'GET', '/imports')).toBe(403);
    expect(await status(admin, 'POST', '/contacts/import?dry_run=true', 'email\na@example.com\n', csv)).toBe(200);
  });

  it('crm.contacts.export: admins export, members do not', async () => {
    expect(await status(member, 'GET', '/contacts/export')).toBe(403);
    expect(await status(admin, 'GET', '/contacts/export')).toBe(200);
  });

  it('crm.campaigns.view and crm.campaigns.manage: members, not viewers', async () => {
    expect(await status(viewer, 'GET', '/campaigns')).toBe(403);
    expect(await status(viewer, 'GET', '/templates')).toBe(403);
    expect(await status(member, 'GET', `/campaigns/${campaignId}`)).toBe(200);
    expect(await status(viewer, 'POST', '/templates', { name: 'x', subject: 's', html: 'h', text: 't' })).toBe(403);
    expect(await status(member, 'POST', '/templates', { name: 'x', subject: 's', html: 'h', text: 't' })).toBe(201);
  });

  it('crm.campaigns.send: admins send, members do not', async () => {
    expect(await status(member, 'POST', `/campaigns/${campaignId}/send`)).toBe(403);
    expect(await status(admin, 'POST', `/campaigns/${campaignId}/send`)).toBe(202);
  });

  it('a custom role holding only crm.contacts.export exports and reads nothing else', async () => {
    const role = await t.request('POST', '/api/v1/roles', { headers: owner.headers, body: { name: 'exporter', permissions: ['crm.contacts.export'] } });
    expect(role.status).toBe(201);
    const exporter = await addMember(t, owner, ['exporter']);
    expect(await status(exporter, 'GET', '/contacts/export')).toBe(200);
    expect(await status(exporter, 'GET', '/contacts')).toBe(403);
  });

  it('needs a signed-in caller, and the plugin enabled for the tenant', async () => {
    const anonymous = await t.request('GET', '/api/v1/crm/contacts', { headers: { 'x-tenant': owner.tenant!.slug } });
    expect(anonymous.status).toBe(401);
    const other = await signUp(t, { tenant: true });
    const disabled = await t.request('GET', '/api/v1/crm/contacts', { headers: other.headers });
    expect(disabled.status).toBe(404);
    expect(disabled.body.code).toBe('plugin_not_enabled');
  });
});
