import { get } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { definePermissions, definePlugin } from '@plinth/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';

const consoleDir = mkdtempSync(path.join(tmpdir(), 'plinth-console-'));
const widgetsDir = mkdtempSync(path.join(tmpdir(), 'plinth-widgets-'));
mkdirSync(path.join(consoleDir, 'assets'));
writeFileSync(path.join(consoleDir, 'index.html'), '<!doctype html><title>Console</title><script type="module" src="/assets/app-1a2b3c.js"></script>');
writeFileSync(path.join(consoleDir, 'assets', 'app-1a2b3c.js'), 'console.log("hi")');
writeFileSync(path.join(consoleDir, '.env'), 'SECRET=1');
writeFileSync(path.join(widgetsDir, 'editor.js'), 'customElements.define("x-editor", class extends HTMLElement {})');

const consolePlugin = definePlugin({
  name: 'test-console',
  version: '1.0.0',
  title: 'Console',
  description: 'The web console',
  category: 'host',
  scope: 'host',
  requires: { core: '^0.1.0' },
  web: { directory: consoleDir, root: true },
});
const widgetPermissions = definePermissions('widgets', { 'widgets.view': { description: 'See widgets', grantTo: ['admin', 'member', 'viewer'] } });
const widgetsPlugin = definePlugin({
  name: 'widgets',
  version: '1.0.0',
  title: 'Widgets',
  description: 'Widgets with an editor',
  category: 'test',
  requires: { core: '^0.1.0' },
  permissions: widgetPermissions,
  navigation: [
    { label: 'Widgets', icon: '🧩', path: '/widgets', permission: widgetPermissions['widgets.view'] },
    { label: 'Editor', path: 'web:x-editor' },
  ],
  web: { directory: widgetsDir },
});

let t: TestKernel;
let owner: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [consolePlugin, widgetsPlugin] });
  owner = await signUp(t, { tenant: true });
});
afterAll(async () => {
  await t.close();
  rmSync(consoleDir, { recursive: true, force: true });
  rmSync(widgetsDir, { recursive: true, force: true });
});

const page = (urlPath: string, headers: Record<string, string> = { accept: 'text/html' }) => fetch(`${t.url}${urlPath}`, { headers });

describe('a host plugin’s web files at the site root', () => {
  it('serve index.html at / and for app paths without a file, revalidated, with a page policy', async () => {
    for (const urlPath of ['/', '/marketplace', '/t/acme/crm/contacts', '/t/acme/reports/run/shop.sales-by-day']) {
      const response = await page(urlPath);
      expect(response.status, urlPath).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/html');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(await response.text()).toContain('<title>Console</title>');
    }
  });

  it('serve hashed assets with a year-long cache, and 304 when unchanged', async () => {
    const response = await page('/assets/app-1a2b3c.js', {});
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('javascript');
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    // fetch() adds Cache-Control: no-cache to conditional requests, so ask with node:http as a browser would.
    const status = await new Promise<number>((resolve, reject) =>
      get(`${t.url}/assets/app-1a2b3c.js`, { headers: { 'if-modified-since': response.headers.get('last-modified')! } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      }).on('error', reject),
    );
    expect(status).toBe(304);
  });

  it('never serve dot-files or paths outside the directory, and leave the API alone', async () => {
    expect((await page('/.env', {})).status).toBe(404);
    expect(await (await page('/.env')).text()).not.toContain('SECRET'); // a navigation gets the app's page, never the file
    expect((await page('/assets/..%2f..%2fetc%2fpasswd', {})).status).toBe(404);
    expect(await (await page('/..%2f..%2f..%2f..%2fetc%2fpasswd')).text()).not.toContain('root:');
    expect((await page('/assets/missing-000.js', {})).status).toBe(404);
    const api = await page('/api/v1/nope', { accept: 'text/html' });
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toContain('json');
    expect((await page('/health', {})).headers.get('content-type')).toContain('json');
  });

  it('keep the host plugin out of the marketplace', async () => {
    const listed = await t.request('GET', '/api/v1/marketplace', { headers: owner.headers });
    expect(listed.body.data.map((plugin: { name: string }) => plugin.name)).toEqual(['widgets']);
    expect((await t.request('POST', '/api/v1/marketplace/test-console/enable', { headers: owner.headers, body: {} })).status).toBe(404);
  });
});

describe('a tenant plugin’s web files and navigation', () => {
  it('are served under /web/<plugin>/ and announced in the marketplace', async () => {
    const file = await page('/web/widgets/editor.js', {});
    expect(file.status).toBe(200);
    expect(await file.text()).toContain('x-editor');
    const listed = await t.request('GET', '/api/v1/marketplace/widgets', { headers: owner.headers });
    expect(listed.body.data.navigation).toEqual([
      { label: 'Widgets', icon: '🧩', path: '/widgets', permission: 'widgets.widgets.view' },
      { label: 'Editor', icon: null, path: 'web:x-editor', permission: null },
    ]);
    expect(listed.body.data.web).toBe('/web/widgets/');
  });

  it('refuse a tenant plugin claiming the site root', async () => {
    const squatter = definePlugin({
      name: 'squatter',
      version: '1.0.0',
      title: 'S',
      description: 'S',
      category: 'test',
      requires: { core: '^0.1.0' },
      web: { directory: widgetsDir, root: true },
    });
    await expect(createTestKernel({ plugins: [squatter] })).rejects.toThrow(/only a host-level plugin/);
  });
});

describe('GET /me/permissions', () => {
  it('tells a member what they may do in the tenant', async () => {
    await t.enable(owner, 'widgets');
    const viewer = await addMember(t, owner, ['viewer']);
    const mine = await t.request('GET', '/api/v1/me/permissions', { headers: viewer.headers });
    expect(mine.status).toBe(200);
    expect(mine.body.data.roles).toEqual(['viewer']);
    expect(mine.body.data.permissions).toContain('widgets.widgets.view');
    expect(mine.body.data.permissions).not.toContain('core.members.manage');
    const outsider = await signUp(t, { tenant: true });
    const refused = await t.request('GET', '/api/v1/me/permissions', { headers: { ...outsider.headers, 'x-tenant': owner.tenant!.slug } });
    expect(refused.status).toBe(403);
  });
});
