import { addMember, createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin from '../src/plugin.js';
import { addBlock, createSite } from './helpers.js';

let t: TestKernel;
let owner: TestUser;
let siteId = '';
let linkId = '';
let shortId = '';
const api = '/api/v1/bio-sites';

beforeAll(async () => {
  t = await createTestKernel({ plugins: [plugin] });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'bio-sites');
  siteId = (await createSite(t, owner, { slug: 'perm-site', status: 'published' })).id;
  linkId = (await addBlock(t, owner, siteId, { type: 'link', data: { title: 'A', url: 'https://a.example' } })).id;
  shortId = (await t.request('POST', `${api}/short-links`, { headers: owner.headers, body: { code: 'perm-code', target_url: 'https://a.example' } })).body.data
    .id;
});
afterAll(() => t?.close());

/** A member holding exactly these permissions, through a custom role made with core's roles API. */
async function memberWith(name: string, permissions: string[]): Promise<TestUser> {
  const role = await t.request('POST', '/api/v1/roles', { headers: owner.headers, body: { name, permissions } });
  expect(role.status, JSON.stringify(role.body)).toBe(201);
  return addMember(t, owner, [name]);
}

const status = async (user: TestUser, method: string, path: string, body?: unknown) =>
  (await t.request(method, `${api}${path}`, { headers: user.headers, ...(body === undefined ? {} : { body }) })).status;

/** Every route that needs bio-sites.sites.view. */
const viewRoutes = () => [
  `/sites`,
  `/sites/${siteId}`,
  `/sites/${siteId}/blocks`,
  `/sites/${siteId}/blocks/${linkId}`,
  `/sites/${siteId}/links`,
  `/short-links`,
  `/short-links/${shortId}`,
];
/** Every route that needs bio-sites.sites.manage (the permission is checked before the body). */
const manageRoutes = (): [string, string, unknown?][] => [
  ['POST', '/sites', { slug: 'perm-new', title: 'New' }],
  ['PATCH', `/sites/${siteId}`, { title: 'Changed' }],
  ['POST', `/sites/${siteId}/blocks`, { type: 'heading', data: { text: 'Hi' } }],
  ['POST', `/sites/${siteId}/links`, { title: 'B', url: 'https://b.example' }],
  ['PUT', `/sites/${siteId}/blocks/order`, { ids: [linkId] }],
  ['PATCH', `/sites/${siteId}/blocks/${linkId}`, { active: true }],
  ['DELETE', `/sites/${siteId}/blocks/${linkId}`],
  ['POST', '/short-links', { target_url: 'https://c.example' }],
  ['PATCH', `/short-links/${shortId}`, { title: 'Changed' }],
  ['DELETE', `/short-links/${shortId}`],
  ['DELETE', `/sites/${siteId}`],
];
/** Every route that needs bio-sites.subscribers.manage (subscribers are customer data: admins only by default). */
const subscriberRoutes = (): [string, string][] => [
  ['GET', `/sites/${siteId}/subscribers`],
  ['DELETE', `/sites/${siteId}/subscribers/00000000-0000-4000-8000-000000000000`],
];
/** Every route that needs bio-sites.analytics.view. */
const analyticsRoutes = (): [string, string][] => [
  ['GET', `/sites/${siteId}/analytics`],
  ['GET', `/sites/${siteId}/links/${linkId}/analytics`],
  ['GET', `/short-links/${shortId}/analytics`],
  ['POST', '/analytics/rollup'],
];

describe('bio-sites permissions', () => {
  it('bio-sites.sites.view alone: lists and reads, creates and edits nothing, reads no analytics', async () => {
    const viewer = await memberWith('bio-viewer', ['bio-sites.sites.view']);
    for (const path of viewRoutes()) expect(await status(viewer, 'GET', path), path).toBe(200);
    for (const [method, path, body] of manageRoutes()) expect(await status(viewer, method, path, body), `${method} ${path}`).toBe(403);
    for (const [method, path] of analyticsRoutes()) expect(await status(viewer, method, path), `${method} ${path}`).toBe(403);
    expect((await t.request('GET', `${api}/sites/${siteId}`, { headers: owner.headers })).body.data.title).toBe('My links');
  });

  it('bio-sites.analytics.view alone: reads analytics, nothing else', async () => {
    const analyst = await memberWith('bio-analyst', ['bio-sites.analytics.view']);
    for (const [method, path] of analyticsRoutes()) expect(await status(analyst, method, path), `${method} ${path}`).toBe(method === 'POST' ? 202 : 200);
    for (const path of viewRoutes()) expect(await status(analyst, 'GET', path), path).toBe(403);
    for (const [method, path, body] of manageRoutes()) expect(await status(analyst, method, path, body), `${method} ${path}`).toBe(403);
  });

  it('a role without bio-sites permissions gets 403 everywhere', async () => {
    const outsider = await memberWith('no-bio', []);
    for (const path of viewRoutes()) expect(await status(outsider, 'GET', path), path).toBe(403);
    for (const [method, path] of analyticsRoutes()) expect(await status(outsider, method, path), path).toBe(403);
    for (const [method, path] of subscriberRoutes()) expect(await status(outsider, method, path), path).toBe(403);
  });

  it('built-in roles: viewers view; members manage and read analytics, but not subscribers', async () => {
    const viewer = await addMember(t, owner, ['viewer']);
    const member = await addMember(t, owner, ['member']);
    expect(await status(viewer, 'GET', '/sites')).toBe(200);
    expect(await status(viewer, 'POST', '/sites', { slug: 'viewer-site', title: 'V' })).toBe(403);
    expect(await status(viewer, 'GET', `/sites/${siteId}/analytics`)).toBe(403);
    expect(await status(member, 'GET', `/sites/${siteId}/analytics`)).toBe(200);
    expect(await status(member, 'POST', '/sites', { slug: 'member-site', title: 'M' })).toBe(201);
    expect(await status(member, 'PATCH', `/sites/${siteId}`, { bio: 'Edited by a member' })).toBe(200);
    expect(await status(member, 'POST', `/sites/${siteId}/links`, { title: 'B', url: 'https://b.example' })).toBe(201);
    for (const [method, path] of subscriberRoutes()) {
      expect(await status(member, method, path), `${method} ${path}`).toBe(403);
      expect(await status(viewer, method, path), `${method} ${path}`).toBe(403);
    }
  });

  it('bio-sites.subscribers.manage alone: lists and removes subscribers, nothing else', async () => {
    const keeper = await memberWith('bio-subscribers', ['bio-sites.subscribers.manage']);
    expect(await status(keeper, 'GET', `/sites/${siteId}/subscribers`)).toBe(200);
    expect(await status(keeper, 'DELETE', `/sites/${siteId}/subscribers/00000000-0000-4000-8000-000000000000`)).toBe(404);
    for (const path of viewRoutes()) expect(await status(keeper, 'GET', path), path).toBe(403);
    for (const [method, path, body] of manageRoutes()) expect(await status(keeper, method, path, body), `${method} ${path}`).toBe(403);
  });

  it('needs a signed-in caller, and the plugin enabled for the tenant', async () => {
    expect((await t.request('GET', `${api}/sites`, { headers: { 'x-tenant': owner.tenant!.slug } })).status).toBe(401);
    const other = await signUp(t, { tenant: true });
    const disabled = await t.request('GET', `${api}/sites`, { headers: other.headers });
    expect(disabled.status).toBe(404);
    expect(disabled.body.code).toBe('plugin_not_enabled');
  });
});
