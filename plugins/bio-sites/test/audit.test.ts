import { auditTrail, createTestKernel, signUp, solidPng, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin from '../src/plugin.js';
import { addBlock, createSite, visit } from './helpers.js';

let t: TestKernel;
let owner: TestUser;
const api = '/api/v1/bio-sites';
beforeAll(async () => {
  t = await createTestKernel({ plugins: [plugin] });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'bio-sites');
});
afterAll(() => t?.close());

const call = (method: string, path: string, body?: unknown) => t.request(method, `${api}${path}`, { headers: owner.headers, body });

const audit = (action: string) => auditTrail(t, owner, { action });
const about = async (action: string, id: string) => (await audit(action)).entries.filter((entry) => entry.target.id === id);

describe('the bio-sites audit trail', () => {
  it("records a site's life: created, theme and domain changed, published, unpublished, deleted", async () => {
    const site = await createSite(t, owner, { slug: 'audited', title: 'Audited' });
    expect((await call('PATCH', `/sites/${site.id}`, { theme: { preset: 'dark' }, custom_domain: 'links.audit-example.test' })).status).toBe(200);
    expect((await call('PATCH', `/sites/${site.id}`, { status: 'published' })).status).toBe(200);
    expect((await call('PATCH', `/sites/${site.id}`, { status: 'unpublished' })).status).toBe(200);
    expect((await call('DELETE', `/sites/${site.id}`)).status).toBe(204);

    const entries = await about('bio-sites.site.', site.id);
    expect(entries.map((entry) => entry.action)).toEqual([
      'bio-sites.site.created',
      'bio-sites.site.updated',
      'bio-sites.site.published',
      'bio-sites.site.unpublished',
      'bio-sites.site.deleted',
    ]);
    const [created, updated, published] = entries;
    expect(created!.actor.user_id).toBe(owner.id);
    expect(created!.data.changes).toMatchObject({ slug: { to: 'audited' }, title: { to: 'Audited' }, status: { to: 'unpublished' } });
    expect(updated!.data.changes).toEqual({
      theme: { from: {}, to: { preset: 'dark' } },
      custom_domain: { from: null, to: 'links.audit-example.test' },
    });
    expect(published!.data.changes).toMatchObject({ status: { from: 'unpublished', to: 'published' }, published_at: { from: null } });
  });

  it('records a new avatar image', async () => {
    const upload = await t.upload(owner, { name: 'me.png', type: 'image/png', data: solidPng(64, 64) }, { visibility: 'public' });
    const site = await createSite(t, owner, { slug: 'audited-avatar' });
    expect((await call('PATCH', `/sites/${site.id}`, { avatar_file_id: upload.body.data.id })).status).toBe(200);
    const [, changed] = await about('bio-sites.site.', site.id);
    expect(changed!.data.changes).toEqual({ avatar_file_id: { from: null, to: upload.body.data.id } });
  });

  it('records blocks and links added, changed, reordered and removed', async () => {
    const site = await createSite(t, owner, { slug: 'audited-blocks' });
    const heading = await addBlock(t, owner, site.id, { type: 'heading', data: { text: 'Hello' } });
    const link = (await call('POST', `/sites/${site.id}/links`, { title: 'Docs', url: 'https://docs.example.test/' })).body.data;
    expect((await call('PATCH', `/sites/${site.id}/blocks/${link.id}`, { active: false })).status).toBe(200);
    expect((await call('PUT', `/sites/${site.id}/blocks/order`, { ids: [link.id, heading.id] })).status).toBe(200);
    expect((await call('DELETE', `/sites/${site.id}/blocks/${heading.id}`)).status).toBe(204);

    const linkEntries = await about('bio-sites.block.', link.id);
    expect(linkEntries.map((entry) => entry.action)).toEqual(['bio-sites.block.created', 'bio-sites.block.updated']);
    expect(linkEntries[0]!.data).toMatchObject({
      site_id: site.id,
      changes: { type: { to: 'link' }, data: { to: { title: 'Docs', url: 'https://docs.example.test/' } } },
    });
    expect(linkEntries[1]!.data.changes).toMatchObject({ active: { from: true, to: false } });
    expect((await about('bio-sites.block.deleted', heading.id))[0]!.data.changes).toMatchObject({ data: { from: { text: 'Hello' } } });
    const [reordered] = await about('bio-sites.site.blocks_reordered', site.id);
    expect(reordered!.data.changes).toEqual({ block_order: { from: [heading.id, link.id], to: [link.id, heading.id] } });
  });

  it('records short links created, changed and deleted', async () => {
    const link = (await call('POST', '/short-links', { code: 'audit-me', target_url: 'https://example.test/a' })).body.data;
    expect((await call('PATCH', `/short-links/${link.id}`, { target_url: 'https://example.test/b' })).status).toBe(200);
    expect((await call('DELETE', `/short-links/${link.id}`)).status).toBe(204);
    const entries = await about('bio-sites.short_link.', link.id);
    expect(entries.map((entry) => entry.action)).toEqual(['bio-sites.short_link.created', 'bio-sites.short_link.updated', 'bio-sites.short_link.deleted']);
    expect(entries[1]!.data.changes).toEqual({ target_url: { from: 'https://example.test/a', to: 'https://example.test/b' } });
  });

  it('records subscribers captured by a visitor (no actor) and removed, never their address; not visits or clicks', async () => {
    const site = await createSite(t, owner, { slug: 'audited-form', status: 'published' });
    await addBlock(t, owner, site.id, { type: 'email_capture', data: {} });
    const before = (await audit('bio-sites.')).total;
    expect((await visit(t, '/b/audited-form')).status).toBe(200);
    expect((await audit('bio-sites.')).total).toBe(before);
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    expect((await visit(t, '/b/audited-form/subscribe', { method: 'POST', headers: form, body: 'email=reader.audit%40example.test' })).status).toBe(303);
    const [subscriber] = (await call('GET', `/sites/${site.id}/subscribers`)).body.data;
    expect((await call('DELETE', `/sites/${site.id}/subscribers/${subscriber.id}`)).status).toBe(204);

    const entries = await about('bio-sites.subscriber.', subscriber.id);
    expect(entries.map((entry) => [entry.action, entry.actor.user_id])).toEqual([
      ['bio-sites.subscriber.created', null],
      ['bio-sites.subscriber.deleted', owner.id],
    ]);
    expect(entries[0]!.data.changes).toMatchObject({ email: { redacted: true }, site_id: { to: site.id } });
    expect(entries[1]!.data.changes).toMatchObject({ email: { redacted: true } });
    expect((await audit('bio-sites.')).text).not.toContain('reader.audit@example.test');
  });

  it('leaves no entry when a request fails after its writes (an avatar that is not a public file)', async () => {
    const privateFile = await t.upload(owner, { name: 'secret.png', type: 'image/png', data: solidPng(8, 8) }, { visibility: 'private' });
    const before = (await audit('bio-sites.')).total;
    const refused = await call('POST', '/sites', { slug: 'audited-refused', title: 'Refused', avatar_file_id: privateFile.body.data.id });
    expect(refused.status).toBe(422);
    expect(Object.keys(refused.body.errors)).toEqual(['avatar_file_id']);
    expect((await audit('bio-sites.')).total).toBe(before);
    expect((await call('GET', '/sites?q=audited-refused')).body.data).toEqual([]);
  });
});
