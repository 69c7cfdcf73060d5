import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin from '../src/plugin.js';
import { addBlock, createSite, visit } from './helpers.js';

let t: TestKernel;
let owner: TestUser;
let other: TestUser;
let siteId: string;
let linkId: string;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [plugin] });
  [owner, other] = await Promise.all([signUp(t, { tenant: true }), signUp(t, { tenant: true })]);
  await t.enable(owner, 'bio-sites');
  await t.enable(other, 'bio-sites');
  siteId = (await createSite(t, owner, { slug: 'go-site', status: 'published' })).id;
  linkId = (await addBlock(t, owner, siteId, { type: 'link', data: { title: 'Shop', url: 'https://shop.example/path?ref=bio' } })).id;
});
afterAll(() => t?.close());

const hits = async () => (await t.flushWrites(), await t.sql<{ n: number }>('select count(*)::int as n from bio_sites_hits'))[0]!.n;

describe('GET /b/:slug/l/:linkId', () => {
  it('redirects to the saved link and counts the click', async () => {
    const before = await hits();
    const response = await visit(t, `/b/go-site/l/${linkId}`);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('https://shop.example/path?ref=bio');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await hits()).toBe(before + 1);
  });

  it('never redirects anywhere else (open-redirect attempts are 404 pages)', async () => {
    const heading = await addBlock(t, owner, siteId, { type: 'heading', data: { text: 'Not a link' } });
    const otherSite = await createSite(t, owner, { slug: 'other-site', status: 'published' });
    const otherLink = await addBlock(t, owner, otherSite.id, { type: 'link', data: { title: 'Elsewhere', url: 'https://else.example' } });
    const foreign = await createSite(t, other, { slug: 'foreign-site', status: 'published' });
    const foreignLink = await addBlock(t, other, foreign.id, { type: 'link', data: { title: 'Foreign', url: 'https://foreign.example' } });
    const before = await hits();
    for (const path of [`/b/go-site/l/${linkId}?url=https://evil.example`, `/b/go-site/l/${linkId}?next=//evil.example&redirect=https://evil.example`]) {
      const response = await visit(t, path);
      expect(response.headers.get('location')).toBe('https://shop.example/path?ref=bio');
    }
    for (const path of [
      '/b/go-site/l/https:%2F%2Fevil.example',
      '/b/go-site/l/%2F%2Fevil.example',
      '/b/go-site/l/javascript:alert(1)',
      '/b/go-site/l/00000000-0000-4000-8000-000000000000',
      `/b/go-site/l/${heading.id}`,
      `/b/go-site/l/${otherLink.id}`,
      `/b/go-site/l/${foreignLink.id}`,
      `/b/foreign-site/l/${linkId}`,
      `/b/no-such-site/l/${linkId}`,
    ]) {
      const response = await visit(t, path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('location'), path).toBeNull();
    }
    expect(await hits()).toBe(before + 2);
  });

  it('refuses links that are inactive, outside their schedule, or on an unpublished site', async () => {
    const inactive = await addBlock(t, owner, siteId, { type: 'link', data: { title: 'Off', url: 'https://off.example' }, active: false });
    const future = await addBlock(t, owner, siteId, { type: 'link', data: { title: 'Soon', url: 'https://soon.example' }, starts_at: '2099-01-01T00:00:00Z' });
    const past = await addBlock(t, owner, siteId, { type: 'link', data: { title: 'Gone', url: 'https://gone.example' }, ends_at: '2000-01-01T00:00:00Z' });
    for (const block of [inactive, future, past]) expect((await visit(t, `/b/go-site/l/${block.id}`)).status).toBe(404);
    const draft = await createSite(t, owner, { slug: 'draft-site' });
    const draftLink = await addBlock(t, owner, draft.id, { type: 'link', data: { title: 'Draft', url: 'https://draft.example' } });
    expect((await visit(t, `/b/draft-site/l/${draftLink.id}`)).status).toBe(404);
  });

  it('follows a link edit at once', async () => {
    const link = await addBlock(t, owner, siteId, { type: 'link', data: { title: 'Moves', url: 'https://first.example/' } });
    expect((await visit(t, `/b/go-site/l/${link.id}`)).headers.get('location')).toBe('https://first.example/');
    await t.request('PATCH', `/api/v1/bio-sites/sites/${siteId}/blocks/${link.id}`, {
      headers: owner.headers,
      body: { data: { title: 'Moves', url: 'https://second.example/' } },
    });
    expect((await visit(t, `/b/go-site/l/${link.id}`)).headers.get('location')).toBe('https://second.example/');
  });
});

describe('short links', () => {
  const api = '/api/v1/bio-sites/short-links';

  it('creates a short code and redirects /s/:code to its saved target, counting the click', async () => {
    const created = await t.request('POST', api, {
      headers: owner.headers,
      body: { code: 'spring-sale', target_url: 'https://shop.example/sale', title: 'Sale' },
    });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({
      code: 'spring-sale',
      target_url: 'https://shop.example/sale',
      title: 'Sale',
      active: true,
      url: '/s/spring-sale',
    });
    const before = await hits();
    const response = await visit(t, '/s/spring-sale?to=https://evil.example');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('https://shop.example/sale');
    expect((await visit(t, '/s/SPRING-SALE')).status).toBe(302);
    expect(await hits()).toBe(before + 2);
  });

  it('generates a code when none is given', async () => {
    const created = await t.request('POST', api, { headers: owner.headers, body: { target_url: 'https://a.example' } });
    expect(created.body.data.code).toMatch(/^[a-z2-9]{7}$/);
    expect((await visit(t, `/s/${created.body.data.code}`)).headers.get('location')).toBe('https://a.example/');
  });

  it('keeps codes unique across tenants and refuses unsafe targets', async () => {
    await t.request('POST', api, { headers: owner.headers, body: { code: 'mine', target_url: 'https://a.example' } });
    const taken = await t.request('POST', api, { headers: other.headers, body: { code: 'mine', target_url: 'https://b.example' } });
    expect(taken.status).toBe(409);
    for (const target of ['javascript:alert(1)', 'data:text/html,x', '//evil.example', 'ftp://a.example', `https://a.example/${'x'.repeat(2100)}`]) {
      const response = await t.request('POST', api, { headers: owner.headers, body: { target_url: target } });
      expect(response.status, target).toBe(422);
    }
    expect((await t.request('POST', api, { headers: owner.headers, body: { code: 'admin', target_url: 'https://a.example' } })).status).toBe(422);
    expect((await t.request('POST', api, { headers: owner.headers, body: { code: 'Bad Code', target_url: 'https://a.example' } })).status).toBe(422);
  });

  it('edits, deactivates and deletes a short link (its code freed)', async () => {
    const created = (await t.request('POST', api, { headers: owner.headers, body: { code: 'edit-me', target_url: 'https://a.example' } })).body.data;
    const renamed = await t.request('PATCH', `${api}/${created.id}`, { headers: owner.headers, body: { code: 'edited', target_url: 'https://b.example' } });
    expect(renamed.body.data).toMatchObject({ code: 'edited', target_url: 'https://b.example/' });
    expect((await visit(t, '/s/edit-me')).status).toBe(404);
    expect((await visit(t, '/s/edited')).headers.get('location')).toBe('https://b.example/');
    expect((await t.request('PATCH', `${api}/${created.id}`, { headers: owner.headers, body: { target_url: 'javascript:x' } })).status).toBe(422);
    await t.request('PATCH', `${api}/${created.id}`, { headers: owner.headers, body: { active: false } });
    expect((await visit(t, '/s/edited')).status).toBe(404);
    expect((await t.request('GET', `${api}/${created.id}`, { headers: owner.headers })).body.data.active).toBe(false);
    const list = await t.request('GET', api, { headers: owner.headers });
    expect(list.body.data.some((link: { id: string }) => link.id === created.id)).toBe(true);
    expect((await t.request('DELETE', `${api}/${created.id}`, { headers: owner.headers })).status).toBe(204);
    expect((await t.request('GET', `${api}/${created.id}`, { headers: owner.headers })).status).toBe(404);
    expect((await t.request('POST', api, { headers: other.headers, body: { code: 'edited', target_url: 'https://c.example' } })).status).toBe(201);
  });
});
