import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin from '../src/plugin.js';
import { addBlock, createSite, visit } from './helpers.js';

let t: TestKernel;
let owner: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [plugin] });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'bio-sites');
});
afterAll(() => t?.close());

const xss = `<script>alert(1)</script>"'><img src=x onerror=alert(1)>\``;
const escaped = '&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&gt;&lt;img src=x onerror=alert(1)&gt;&#96;';

describe('GET /b/:slug', () => {
  it("speaks the tenant's language: Arabic pages are right to left, and a page cached in English is built again", async () => {
    const other = await signUp(t, { tenant: true });
    await t.enable(other, 'bio-sites');
    const site = await createSite(t, other, { slug: 'lang-links', title: 'Lina', status: 'published' });
    await addBlock(t, other, site.id, { type: 'email_capture', data: { title: 'News', button_label: 'Join' } });
    const english = await visit(t, '/b/lang-links');
    expect(english.text).toMatch(/^<!doctype html><html lang="en" dir="ltr">/);
    expect(english.text).toContain('>Email address</label>');
    expect((await t.request('PATCH', '/api/v1/tenant', { headers: other.headers, body: { locale: 'ar-EG' } })).status).toBe(200);
    const arabic = await visit(t, '/b/lang-links');
    expect(arabic.text).toMatch(/^<!doctype html><html lang="ar-EG" dir="rtl">/);
    expect(arabic.text).toContain('>البريد الإلكتروني</label>');
  });

  it('renders a small, semantic page with Open Graph tags and a strict CSP', async () => {
    const site = await createSite(t, owner, {
      slug: 'ada-links',
      title: 'Ada',
      bio: 'Engineer',
      avatar_url: 'https://img.example/ada.png',
      seo: { title: 'Ada Lovelace', description: 'Notes and links' },
      theme: { preset: 'forest', font: 'serif' },
      status: 'published',
    });
    const link = await addBlock(t, owner, site.id, { type: 'link', data: { title: 'My blog', url: 'https://ada.example/blog' } });
    await addBlock(t, owner, site.id, { type: 'image', data: { url: 'https://img.example/cat.png', alt: 'A cat on a keyboard' } });
    const page = await visit(t, '/b/ada-links');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.text).toMatch(/^<!doctype html><html lang="en" dir="ltr">/);
    expect(page.text).toContain(`<a class="link" href="/b/ada-links/l/${link.id}"><span>My blog</span></a>`);
    expect(page.text).toContain('<img class="avatar" src="https://img.example/ada.png" alt="Ada" width="96" height="96">');
    expect(page.text).toContain('alt="A cat on a keyboard"');
    expect(page.text).toContain('<title>Ada Lovelace</title>');
    expect(page.text).toContain('<meta property="og:title" content="Ada Lovelace">');
    expect(page.text).toContain('<meta property="og:description" content="Notes and links">');
    expect(page.text).toContain('<meta property="og:image" content="https://img.example/ada.png">');
    expect(page.text).toContain('<main><header>');
    expect(page.text).not.toContain('<script');
    expect(page.text).toContain('--bg:#f0fdf4');
    expect(Buffer.byteLength(page.text)).toBeLessThan(30_000);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toMatch(
      /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; img-src 'self' https: data:; frame-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'$/,
    );
    const css = /<style>(.*)<\/style>/.exec(page.text)![1]!;
    const { createHash } = await import('node:crypto');
    expect(csp).toContain(`'sha256-${createHash('sha256').update(css).digest('base64')}'`);
    expect(page.headers.get('cache-control')).toBe('public, no-cache');
    expect(page.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect((await visit(t, '/b/ADA-LINKS')).status).toBe(200);
    expect((await visit(t, '/b/ada-links?utm_source=instagram&x=1')).status).toBe(200);
  });

  it('escapes every user string (XSS payloads in every text field)', async () => {
    const site = await createSite(t, owner, {
      slug: 'xss-site',
      title: xss,
      bio: xss,
      seo: { title: xss.slice(0, 70), description: xss },
      avatar_url: `https://img.example/a.png?q="><script>alert(1)</script>`,
      status: 'published',
    });
    await addBlock(t, owner, site.id, { type: 'link', data: { title: xss, url: `https://a.example/?q="><script>alert(1)</script>`, icon: '<b>x</b>' } });
    await addBlock(t, owner, site.id, { type: 'heading', data: { text: xss } });
    await addBlock(t, owner, site.id, { type: 'text', data: { text: xss } });
    await addBlock(t, owner, site.id, { type: 'image', data: { url: `https://img.example/b.png?"onerror="alert(1)`, alt: xss } });
    await addBlock(t, owner, site.id, { type: 'embed', data: { url: 'https://youtu.be/dQw4w9WgXcQ', title: xss } });
    await addBlock(t, owner, site.id, { type: 'social', data: { links: [{ network: 'x', url: `https://x.com/a"onmouseover="alert(1)` }] } });
    await addBlock(t, owner, site.id, { type: 'email_capture', data: { title: xss, description: xss, button_label: xss.slice(0, 40) } });
    const page = await visit(t, '/b/xss-site');
    expect(page.status).toBe(200);
    expect(page.text).not.toMatch(/<script|<img src=x|<b>x<\/b>|"onerror=|"onmouseover=|javascript:/i);
    expect(page.text.split(escaped).length - 1).toBeGreaterThanOrEqual(8);
    expect(page.text).toContain('&lt;b&gt;x&lt;/b&gt;');
  });

  it('answers 304 to a matching If-None-Match, and a new ETag after an edit', async () => {
    const site = await createSite(t, owner, { slug: 'etag-site', title: 'Before', status: 'published' });
    const first = await visit(t, '/b/etag-site');
    const etag = first.headers.get('etag')!;
    const again = await visit(t, '/b/etag-site', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    expect((await visit(t, '/b/etag-site', { headers: { 'if-none-match': `W/${etag}, "other"` } })).status).toBe(304);
    expect((await visit(t, '/b/etag-site', { headers: { 'if-none-match': '"stale"' } })).status).toBe(200);
    await t.request('PATCH', `/api/v1/bio-sites/sites/${site.id}`, { headers: owner.headers, body: { title: 'After' } });
    const edited = await visit(t, '/b/etag-site', { headers: { 'if-none-match': etag } });
    expect(edited.status).toBe(200);
    expect(edited.text).toContain('<h1>After</h1>');
    expect(edited.headers.get('etag')).not.toBe(etag);
  });

  it('shows the 404 page for an unpublished site and after unpublishing; unknown slugs are 404', async () => {
    const site = await createSite(t, owner, { slug: 'hidden-site' });
    const hidden = await visit(t, '/b/hidden-site');
    expect(hidden.status).toBe(404);
    expect(hidden.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(hidden.text).toContain('<h1>Not found</h1>');
    expect(hidden.headers.get('cache-control')).toBe('no-store');
    await t.request('PATCH', `/api/v1/bio-sites/sites/${site.id}`, { headers: owner.headers, body: { status: 'published' } });
    expect((await visit(t, '/b/hidden-site')).status).toBe(200);
    await t.request('PATCH', `/api/v1/bio-sites/sites/${site.id}`, { headers: owner.headers, body: { status: 'unpublished' } });
    expect((await visit(t, '/b/hidden-site')).status).toBe(404);
    for (const path of ['/b/no-such-site', `/b/${'x'.repeat(300)}`, '/b/no-such-site/l/00000000-0000-4000-8000-000000000000', '/s/no-such-code']) {
      const unknown = await visit(t, path);
      expect(unknown.status, path).toBe(404);
      expect(unknown.headers.get('content-type'), path).toBe('text/html; charset=utf-8');
      expect(unknown.text, path).toContain('<h1>Not found</h1>');
      expect(unknown.headers.get('content-security-policy'), path).toMatch(/^default-src 'none'/);
    }
  });

  it("shows the plugin's 404 page once the tenant disables the plugin", async () => {
    const user = await signUp(t, { tenant: true });
    await t.enable(user, 'bio-sites');
    await createSite(t, user, { slug: 'switched-off', title: 'Soon gone', status: 'published' });
    expect((await visit(t, '/b/switched-off')).status).toBe(200);
    expect((await t.request('POST', '/api/v1/marketplace/bio-sites/disable', { headers: user.headers, body: {} })).status).toBe(200);
    const gone = await visit(t, '/b/switched-off');
    expect(gone.status).toBe(404);
    expect(gone.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(gone.text).toContain('<h1>Not found</h1>');
    expect(gone.text).not.toContain('Soon gone');
  });

  it('answers HEAD like GET without a body, and counts no visit or click', async () => {
    const site = await createSite(t, owner, { slug: 'head-site', title: 'Head', status: 'published' });
    const link = await addBlock(t, owner, site.id, { type: 'link', data: { title: 'Out', url: 'https://out.example/' } });
    await t.request('POST', '/api/v1/bio-sites/short-links', { headers: owner.headers, body: { code: 'head-code', target_url: 'https://short.example/' } });
    const hits = async () => (await t.flushWrites(), await t.sql<{ n: number }>('select count(*)::int as n from bio_sites_hits'))[0]!.n;
    const before = await hits();
    const get = await visit(t, '/b/head-site');
    const head = await visit(t, '/b/head-site', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    for (const name of ['content-type', 'etag', 'cache-control', 'content-security-policy']) expect(head.headers.get(name), name).toBe(get.headers.get(name));
    expect((await visit(t, '/b/head-site', { method: 'HEAD', headers: { 'if-none-match': get.headers.get('etag')! } })).status).toBe(304);
    const click = await visit(t, `/b/head-site/l/${link.id}`, { method: 'HEAD' });
    expect([click.status, click.headers.get('location')]).toEqual([302, 'https://out.example/']);
    const short = await visit(t, '/s/head-code', { method: 'HEAD' });
    expect([short.status, short.headers.get('location')]).toEqual([302, 'https://short.example/']);
    expect((await visit(t, '/b/no-such-site', { method: 'HEAD' })).status).toBe(404);
    expect(await hits()).toBe(before + 1);
  });

  it('shows only active blocks inside their schedule', async () => {
    const site = await createSite(t, owner, { slug: 'scheduled', status: 'published' });
    const hour = 3_600_000;
    const at = (offset: number) => new Date(Date.now() + offset).toISOString();
    await addBlock(t, owner, site.id, { type: 'link', data: { title: 'Always', url: 'https://a.example' } });
    await addBlock(t, owner, site.id, { type: 'link', data: { title: 'Later', url: 'https://b.example' }, starts_at: at(hour) });
    await addBlock(t, owner, site.id, { type: 'link', data: { title: 'Ended', url: 'https://c.example' }, ends_at: at(-hour) });
    await addBlock(t, owner, site.id, { type: 'link', data: { title: 'Inactive', url: 'https://d.example' }, active: false });
    await addBlock(t, owner, site.id, { type: 'link', data: { title: 'Now', url: 'https://e.example' }, starts_at: at(-hour), ends_at: at(hour) });
    const page = await visit(t, '/b/scheduled');
    expect([...page.text.matchAll(/<span>([^<]+)<\/span><\/a>/g)].map((match) => match[1])).toEqual(['Always', 'Now']);
  });

  it('embeds known providers through frames it builds, and allows only those frames', async () => {
    const site = await createSite(t, owner, { slug: 'embeds', status: 'published' });
    await addBlock(t, owner, site.id, { type: 'embed', data: { url: 'https://www.youtube.com/shorts/dQw4w9WgXcQ?feature=x"><script>' } });
    await addBlock(t, owner, site.id, { type: 'embed', data: { url: 'https://open.spotify.com/album/4cOdK2wGLETKBW3PvgPWqT' } });
    const page = await visit(t, '/b/embeds');
    expect(page.text).toContain('<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" title="YouTube video"');
    expect(page.text).toContain('<iframe src="https://open.spotify.com/embed/album/4cOdK2wGLETKBW3PvgPWqT" title="Spotify player"');
    expect(page.text).toContain('sandbox="allow-scripts allow-same-origin allow-popups allow-presentation"');
    expect(page.headers.get('content-security-policy')).toContain('frame-src https://www.youtube-nocookie.com https://open.spotify.com;');
  });

  it('keeps a typical page (20 links, socials, a form) far below 30 KB', async () => {
    const site = await createSite(t, owner, { slug: 'typical', title: 'Typical creator', bio: 'b'.repeat(300), status: 'published' });
    for (let index = 0; index < 20; index++) {
      await addBlock(t, owner, site.id, { type: 'link', data: { title: `Link number ${index} with a title`, url: `https://example.com/${index}` } });
    }
    await addBlock(t, owner, site.id, {
      type: 'social',
      data: { links: ['instagram', 'tiktok', 'youtube', 'x'].map((network) => ({ network, url: `https://${network}.example/me` })) },
    });
    await addBlock(t, owner, site.id, { type: 'email_capture', data: {} });
    const page = await visit(t, '/b/typical');
    expect(Buffer.byteLength(page.text)).toBeLessThan(12_000);
  });
});
