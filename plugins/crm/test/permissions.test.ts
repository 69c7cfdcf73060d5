import { addMember, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmCall, crmKernel } from './helpers.js';

let t: TestKernel;
let owner: TestUser;
let viewer: TestUser;
let member: TestUser;
let reader: TestUser;
let editor: TestUser;
let admin: TestUser;
let campaignId = '';
beforeAll(async () => {
  ({ t, owner } = await crmKernel());
  [viewer, member, admin] = [await addMember(t, owner, ['viewer']), await addMember(t, owner, ['member']), await addMember(t, owner, ['admin'])];
  // Contacts are customer data: the built-in member and viewer roles hold no CRM permission, a tenant grants them.
  reader = await memberWith('crm-reader', ['crm.contacts.view']);
  editor = await memberWith('crm-editor', ['crm.contacts.view', 'crm.contacts.manage', 'crm.campaigns.view', 'crm.campaigns.manage']);
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

/** A member holding exactly these permissions, through a custom role made with core's roles API. */
async function memberWith(name: string, permissions: string[]): Promise<TestUser> {
  const role = await t.request('POST', '/api/v1/roles', { headers: owner.headers, body: { name, permissions } });
  expect(role.status, JSON.stringify(role.body)).toBe(201);
  return addMember(t, owner, [name]);
}

describe('crm permissions', () => {
  it('built-in member and viewer roles reach no contact, segment or campaign', async () => {
    for (const user of [member, viewer]) {
      for (const path of ['/contacts', '/segments', '/campaigns', `/campaigns/${campaignId}`, `/campaigns/${campaignId}/recipients`, '/templates'])
        expect(await status(user, 'GET', path), path).toBe(403);
      expect(await status(user, 'POST', '/contacts', { email: 'm@example.com' })).toBe(403);
    }
    expect(await status(admin, 'GET', '/contacts')).toBe(200);
    expect(await status(admin, 'GET', `/campaigns/${campaignId}/recipients`)).toBe(200);
  });

  it('crm.contacts.view: reads contacts and segments', async () => {
    expect(await status(reader, 'GET', '/contacts')).toBe(200);
    expect(await status(reader, 'GET', '/segments')).toBe(200);
  });

  it('crm.contacts.manage: editors edit contacts, readers do not', async () => {
    expect(await status(reader, 'POST', '/contacts', { email: 'v@example.com' })).toBe(403);
    expect(await status(reader, 'POST', '/segments', { name: 'x', filter: {} })).toBe(403);
    expect(await status(editor, 'POST', '/contacts', { email: 'm@example.com' })).toBe(201);
  });

  it('crm.contacts.import: admins import, editors do not', async () => {
    expect(await status(editor, 'POST', '/contacts/import?dry_run=true', 'email\na@example.com\n', csv)).toBe(403);
    expect(await status(editor, 'GET', '/imports')).toBe(403);
    expect(await status(admin, 'POST', '/contacts/import?dry_run=true', 'email\na@example.com\n', csv)).toBe(200);
  });

  it('crm.contacts.export: admins export, editors do not', async () => {
    expect(await status(editor, 'GET', '/contacts/export')).toBe(403);
    expect(await status(admin, 'GET', '/contacts/export')).toBe(200);
  });

  it('crm.campaigns.view and crm.campaigns.manage: editors, not contact readers', async () => {
    expect(await status(reader, 'GET', '/campaigns')).toBe(403);
    expect(await status(reader, 'GET', '/templates')).toBe(403);
    expect(await status(editor, 'GET', `/campaigns/${campaignId}`)).toBe(200);
    expect(await status(reader, 'POST', '/templates', { name: 'x', subject: 's', html: 'h', text: 't' })).toBe(403);
    expect(await status(editor, 'POST', '/templates', { name: 'x', subject: 's', html: 'h', text: 't' })).toBe(201);
  });

  it('crm.campaigns.send: admins send, editors do not', async () => {
    expect(await status(editor, 'POST', `/campaigns/${campaignId}/send`)).toBe(403);
    expect(await status(admin, 'POST', `/campaigns/${campaignId}/send`)).toBe(202);
  });

  it('a custom role holding only crm.contacts.export exports and reads nothing else', async () => {
    const exporter = await memberWith('exporter', ['crm.contacts.export']);
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
