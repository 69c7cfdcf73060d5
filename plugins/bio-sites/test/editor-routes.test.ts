import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin from '../src/plugin.js';
import { addBlock, createSite } from './helpers.js';

let t: TestKernel;
let owner: TestUser;
let other: TestUser;
let viewer: TestUser;
let pages: Server;
let origin: string;

/** Pages on loopback to read titles from (the kernel allows loopback here: PLINTH_HTTP_ALLOW_LOOPBACK). */
function servePages(): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.url === '/titled') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end('<!doctype html><html><head><title>\n  Ada &amp; the  Engines &#8212; Blog </title></head><body>hi</body></html>');
    } else if (request.url === '/og') {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<html><head><meta property="og:title" content="Shared &quot;title&quot;"><title>Plain</title></head></html>');
    } else if (request.url === '/json') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"title":"not a page"}');
    } else if (request.url === '/untitled') {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<p>no head</p>');
    } else {
      response.writeHead(404, { 'content-type': 'text/html' });
      response.end('<title>Missing</title>');
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  t = await createTestKernel({ plugins: [plugin], env: { PLINTH_HTTP_ALLOW_LOOPBACK: 'true' } });
  owner = await signUp(t, { tenant: true });
  other = await signUp(t, { tenant: true });
  for (const user of [owner, other]) await t.enable(user, 'bio-sites');
  pages = await servePages();
  origin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
  const roles = (await t.request('GET', '/api/v1/roles?per_page=100', { headers: owner.headers })).body.data as { id: string; name: string }[];
  viewer = await signUp(t, { email: 'viewer@editor.test' });
  const invited = await t.request('POST', '/api/v1/invitations', {
    headers: owner.headers,
    body: { email: viewer.email, roles: [roles.find((role) => role.name === 'viewer')!.id] },
  });
  const token = new URL(invited.body.data.accept_url as string).searchParams.get('token');
  expect((await t.request('POST', '/api/v1/invitations/accept', { headers: viewer.headers, body: { token } })).status).toBe(201);
  viewer = { ...viewer, headers: { ...viewer.headers, 'x-tenant': owner.tenant!.slug } };
});
afterAll(async () => {
  pages?.close();
  await t?.close();
});

const linkTitle = (user: TestUser, url: string) => t.request('GET', `/api/v1/bio-sites/link-title?url=${encodeURIComponent(url)}`, { headers: user.headers });

describe('GET /sites/:id/preview', () => {
  it('renders an unpublished site with its live blocks, as the public page would, embeds as placeholders', async () => {
    const site = await createSite(t, owner, { slug: 'preview-me', title: 'Preview <me>' });
    await addBlock(t, owner, site.id, { type: 'heading', data: { text: 'Hello there' } });
    await addBlock(t, owner, site.id, { type: 'link', data: { title: 'My blog', url: 'https://blog.example' } });
    await addBlock(t, owner, site.id, { type: 'text', data: { text: 'Hidden' }, active: false });
    await addBlock(t, owner, site.id, { type: 'embed', data: { url: 'https://youtu.be/dQw4w9WgXcQ', title: 'My video' } });
    const answer = await t.request('GET', `/api/v1/bio-sites/sites/${site.id}/preview`, { headers: owner.headers });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const { html, status } = answer.body.data as { html: string; status: string };
    expect(status).toBe('unpublished');
    expect(html).toContain('<h1>Preview &lt;me&gt;</h1>');
    expect(html.indexOf('Hello there')).toBeLessThan(html.indexOf('My blog'));
    expect(html).not.toContain('Hidden');
    expect(html).toContain('<p class="placeholder">▶ My video</p>');
    expect(html).not.toContain('<iframe');
    expect(html).not.toContain('<script');
    // The public page is still not there: the preview publishes nothing.
    expect((await fetch(`${t.url}/b/preview-me`)).status).toBe(404);
  });

  it('is open to viewers, and 404 for another tenant’s site or an unknown id; 4xx for a malformed id', async () => {
    const site = await createSite(t, owner, { slug: 'preview-private' });
    expect((await t.request('GET', `/api/v1/bio-sites/sites/${site.id}/preview`, { headers: viewer.headers })).status).toBe(200);
    expect((await t.request('GET', `/api/v1/bio-sites/sites/${site.id}/preview`, { headers: other.headers })).status).toBe(404);
    expect((await t.request('GET', `/api/v1/bio-sites/sites/00000000-0000-4000-8000-000000000000/preview`, { headers: owner.headers })).status).toBe(404);
    const malformed = await t.request('GET', '/api/v1/bio-sites/sites/not-an-id/preview', { headers: owner.headers });
    expect(malformed.status).toBeGreaterThanOrEqual(400);
    expect(malformed.status).toBeLessThan(500);
  });
});

describe('GET /link-title', () => {
  it("reads a page's <title> (entities decoded, spaces collapsed) or its og:title", async () => {
    const titled = await linkTitle(owner, `${origin}/titled`);
    expect(titled.status, JSON.stringify(titled.body)).toBe(200);
    expect(titled.body.data).toEqual({ url: `${origin}/titled`, title: 'Ada & the Engines — Blog' });
    expect((await linkTitle(owner, `${origin}/og`)).body.data.title).toBe('Shared "title"');
  });

  it('answers null for a page without a title, an error page, or something not HTML', async () => {
    for (const path of ['/untitled', '/missing', '/json']) {
      const answer = await linkTitle(owner, `${origin}${path}`);
      expect(answer.status).toBe(200);
      expect(answer.body.data.title, path).toBeNull();
    }
  });

  it('refuses with 422 a URL a link may not hold and a destination the server must not call', async () => {
    for (const url of ['javascript:alert(1)', 'notaurl', 'https://user:pw@a.example/']) {
      const answer = await linkTitle(owner, url);
      expect(answer.status, url).toBe(422);
      expect(answer.body.errors.url, url).toBeDefined();
    }
    for (const url of ['http://10.0.0.1/', 'http://169.254.169.254/latest/meta-data/', 'http://192.168.1.1/']) {
      const answer = await linkTitle(owner, url);
      expect(answer.status, url).toBe(422);
      expect(answer.body.errors.url[0], url).toMatch(/address/);
    }
    expect((await t.request('GET', '/api/v1/bio-sites/link-title', { headers: owner.headers })).status).toBe(422); // no url at all
  });

  it('needs sites.manage: a viewer is refused', async () => {
    expect((await linkTitle(viewer, `${origin}/titled`)).status).toBe(403);
  });
});
