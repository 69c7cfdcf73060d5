import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin from '../src/plugin.js';
import { addBlock, createSite } from './helpers.js';

let t: TestKernel;
let owner: TestUser;
let siteId: string;
const blocks = () => `/api/v1/bio-sites/sites/${siteId}/blocks`;

beforeAll(async () => {
  t = await createTestKernel({ plugins: [plugin] });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'bio-sites');
  siteId = (await createSite(t, owner, { slug: 'blocks-site' })).id;
});
afterAll(() => t?.close());

describe('POST /sites/:id/blocks', () => {
  it.each([
    ['link', { title: ' Blog ', url: 'https://ada.example/blog', icon: '✍️' }, { title: 'Blog', url: 'https://ada.example/blog', icon: '✍️' }],
    ['heading', { text: 'Listen' }, { text: 'Listen' }],
    ['text', { text: 'Line one\nline two' }, { text: 'Line one\nline two' }],
    ['image', { url: 'https://img.example/a.png', alt: 'A cat' }, { url: 'https://img.example/a.png', alt: 'A cat' }],
    ['social', { links: [{ network: 'github', url: 'https://github.com/ada' }] }, { links: [{ network: 'github', url: 'https://github.com/ada' }] }],
    ['embed', { url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ' }, { provider: 'youtube', kind: 'video', id: 'dQw4w9WgXcQ', title: null }],
    ['embed', { url: 'https://youtu.be/dQw4w9WgXcQ' }, { provider: 'youtube', id: 'dQw4w9WgXcQ' }],
    [
      'embed',
      { url: 'https://open.spotify.com/intl-de/track/4cOdK2wGLETKBW3PvgPWqT', title: 'My song' },
      { provider: 'spotify', kind: 'track', id: '4cOdK2wGLETKBW3PvgPWqT', title: 'My song' },
    ],
    ['email_capture', {}, { title: 'Join my newsletter', button_label: 'Subscribe', description: null }],
  ])('adds a %s block', async (type, data, stored) => {
    const block = await addBlock(t, owner, siteId, { type, data });
    expect(block).toMatchObject({ type, site_id: siteId, active: true, live: true, starts_at: null, ends_at: null, data: stored });
  });

  it.each([
    ['link', { title: 'x', url: 'javascript:alert(1)' }, 'data.url', 'must be an http or https URL'],
    ['link', { title: 'x', url: 'JaVaScRiPt:alert(1)' }, 'data.url', 'must be an http or https URL'],
    ['link', { title: 'x', url: ' javascript:alert(1)' }, 'data.url', 'must be an http or https URL'],
    ['link', { title: 'x', url: 'data:text/html,<script>alert(1)</script>' }, 'data.url', 'must be an http or https URL'],
    ['link', { title: 'x', url: 'vbscript:msgbox' }, 'data.url', 'must be an http or https URL'],
    ['link', { title: 'x', url: 'file:///etc/passwd' }, 'data.url', 'must be an http or https URL'],
    ['link', { title: 'x', url: '//evil.example' }, 'data.url', 'must be an http or https URL'],
    ['link', { title: 'x', url: 'https://user:pw@evil.example' }, 'data.url', 'must not carry a user name or password'],
    ['link', { title: 'x', url: `https://a.example/${'p'.repeat(2050)}` }, 'data.url', 'must be at most 2048 characters'],
    ['link', { title: 't'.repeat(101), url: 'https://a.example' }, 'data.title', 'must be at most 100 characters'],
    ['link', { url: 'https://a.example' }, 'data.title', 'is required'],
    ['link', { title: '   ', url: 'https://a.example' }, 'data.title', 'must not be empty'],
    ['link', { title: 'x', url: 'https://a.example', color: 'red' }, 'data.color', 'is not allowed'],
    ['link', { title: 42, url: 'https://a.example' }, 'data.title', 'must be a string'],
    ['heading', { text: 'h'.repeat(101) }, 'data.text', 'must be at most 100 characters'],
    ['text', { text: 't'.repeat(1001) }, 'data.text', 'must be at most 1000 characters'],
    ['image', { url: 'http://img.example/a.png', alt: '' }, 'data.url', 'must be an https URL'],
    ['image', { url: 'data:image/png;base64,AAAA', alt: '' }, 'data.url', 'must be an https URL'],
    ['image', { url: 'https://img.example/a.png' }, 'data.alt', 'is required'],
    ['social', { links: [] }, 'data.links', 'must be a list of 1 to 12'],
    ['social', { links: [{ network: 'myspace', url: 'https://a.example' }] }, 'data.links.0.network', 'must be one of'],
    ['social', { links: [{ network: 'x', url: 'javascript:alert(1)' }] }, 'data.links.0.url', 'must be an http or https URL'],
    ['embed', { url: 'https://evil.example/embed/dQw4w9WgXcQ' }, 'data.url', 'must be a YouTube or Spotify URL'],
    ['embed', { url: 'https://www.youtube.com/watch?v=short' }, 'data.url', 'must be a YouTube or Spotify URL'],
    ['embed', { url: 'javascript:alert(1)' }, 'data.url', 'must be an http or https URL'],
    ['email_capture', { button_label: 'b'.repeat(41) }, 'data.button_label', 'must be at most 40 characters'],
  ])('refuses a %s block with %j (422 on %s)', async (type, data, field, message) => {
    const before = await t.sql('select count(*)::int as n from bio_sites_blocks');
    const response = await t.request('POST', blocks(), { headers: owner.headers, body: { type, data } });
    expect(response.status).toBe(422);
    expect(response.body.errors[field]).toEqual(expect.arrayContaining([expect.stringContaining(message)]));
    expect(await t.sql('select count(*)::int as n from bio_sites_blocks')).toEqual(before);
  });

  it('refuses an unknown type, a schedule ending before it starts, an unknown site', async () => {
    expect((await t.request('POST', blocks(), { headers: owner.headers, body: { type: 'script', data: {} } })).status).toBe(422);
    const schedule = await t.request('POST', blocks(), {
      headers: owner.headers,
      body: { type: 'heading', data: { text: 'x' }, starts_at: '2030-01-02T00:00:00Z', ends_at: '2030-01-01T00:00:00Z' },
    });
    expect(schedule.status).toBe(422);
    expect(schedule.body.errors).toEqual({ ends_at: ['must be after starts_at'] });
    const unknown = '/api/v1/bio-sites/sites/00000000-0000-4000-8000-000000000000/blocks';
    expect((await t.request('POST', unknown, { headers: owner.headers, body: { type: 'heading', data: { text: 'x' } } })).status).toBe(404);
  });
});

describe('ordering, changing and removing blocks', () => {
  it('inserts at a position, moves, reorders and closes gaps', async () => {
    const site = await createSite(t, owner, { slug: 'order-site' });
    const path = `/api/v1/bio-sites/sites/${site.id}/blocks`;
    const first = await addBlock(t, owner, site.id, { type: 'heading', data: { text: 'A' } });
    const second = await addBlock(t, owner, site.id, { type: 'heading', data: { text: 'B' } });
    const third = await addBlock(t, owner, site.id, { type: 'heading', data: { text: 'C' }, position: 0 });
    const order = async () =>
      (await t.request('GET', `${path}?per_page=100`, { headers: owner.headers })).body.data.map(
        (block: { data: { text: string }; position: number }) => `${block.position}${block.data.text}`,
      );
    expect(await order()).toEqual(['0C', '1A', '2B']);
    await t.request('PATCH', `${path}/${third.id}`, { headers: owner.headers, body: { position: 2 } });
    expect(await order()).toEqual(['0A', '1B', '2C']);
    const reordered = await t.request('PUT', `${path}/order`, { headers: owner.headers, body: { ids: [second.id, third.id, first.id] } });
    expect(reordered.status).toBe(200);
    expect(await order()).toEqual(['0B', '1C', '2A']);
    const partial = await t.request('PUT', `${path}/order`, { headers: owner.headers, body: { ids: [second.id] } });
    expect(partial.status).toBe(422);
    expect((await t.request('DELETE', `${path}/${third.id}`, { headers: owner.headers })).status).toBe(204);
    expect(await order()).toEqual(['0B', '1A']);
    expect((await t.request('GET', `${path}/${third.id}`, { headers: owner.headers })).status).toBe(404);
  });

  it('replaces data validated for the block type, and schedules a block', async () => {
    const link = await addBlock(t, owner, siteId, { type: 'link', data: { title: 'Old', url: 'https://a.example' } });
    const path = `${blocks()}/${link.id}`;
    const changed = await t.request('PATCH', path, { headers: owner.headers, body: { data: { title: 'New', url: 'https://b.example/' } } });
    expect(changed.body.data.data).toEqual({ title: 'New', url: 'https://b.example/', icon: null });
    const bad = await t.request('PATCH', path, { headers: owner.headers, body: { data: { title: 'New', url: 'data:,x' } } });
    expect(bad.status).toBe(422);
    const later = await t.request('PATCH', path, { headers: owner.headers, body: { starts_at: '2099-01-01T00:00:00Z' } });
    expect(later.body.data).toMatchObject({ live: false, starts_at: '2099-01-01T00:00:00.000Z' });
    const off = await t.request('PATCH', path, { headers: owner.headers, body: { starts_at: null, active: false } });
    expect(off.body.data).toMatchObject({ live: false, active: false });
    expect((await t.request('PATCH', path, { headers: owner.headers, body: { type: 'text' } })).status).toBe(422);
  });

  it('caps a site at 50 blocks', async () => {
    const site = await createSite(t, owner, { slug: 'full-site' });
    for (let index = 0; index < 50; index++) await addBlock(t, owner, site.id, { type: 'heading', data: { text: `H${index}` } });
    const over = await t.request('POST', `/api/v1/bio-sites/sites/${site.id}/blocks`, {
      headers: owner.headers,
      body: { type: 'heading', data: { text: 'one more' } },
    });
    expect(over.status).toBe(409);
    expect(over.body.code).toBe('too_many_blocks');
  });
});

describe('/sites/:id/links', () => {
  it('adds link blocks and lists only links', async () => {
    const site = await createSite(t, owner, { slug: 'links-only' });
    await addBlock(t, owner, site.id, { type: 'heading', data: { text: 'Links' } });
    const created = await t.request('POST', `/api/v1/bio-sites/sites/${site.id}/links`, {
      headers: owner.headers,
      body: { title: 'Shop', url: 'https://shop.example', icon: '🛍️', ends_at: '2099-01-01T00:00:00Z' },
    });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ type: 'link', position: 1, live: true, data: { title: 'Shop', url: 'https://shop.example/', icon: '🛍️' } });
    const bad = await t.request('POST', `/api/v1/bio-sites/sites/${site.id}/links`, {
      headers: owner.headers,
      body: { title: 'x', url: 'javascript:alert(1)' },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual({ 'data.url': ['must be an http or https URL'] });
    const list = await t.request('GET', `/api/v1/bio-sites/sites/${site.id}/links`, { headers: owner.headers });
    expect(list.body.data.map((block: { type: string }) => block.type)).toEqual(['link']);
    expect(list.body.meta.pagination.total).toBe(1);
  });
});
