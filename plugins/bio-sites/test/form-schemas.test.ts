import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin from '../src/plugin.js';
import { createSite } from './helpers.js';

// Issue 20: the console starts a form at the schema's defaults, so a create body's `default` must be what the
// server does when the field is left out, and an update body must carry none (ajv fills defaults in: a default
// in a PATCH would change what an omitted field means).
let t: TestKernel;
let owner: TestUser;
type Schema = { properties: Record<string, Record<string, unknown> & { anyOf?: Record<string, unknown>[] }> };
let document: { paths: Record<string, Record<string, { requestBody: { content: { 'application/json': { schema: Schema } } } }>> };
const body = (path: string, method: string) => document.paths[`/api/v1/bio-sites${path}`]![method]!.requestBody.content['application/json'].schema;

beforeAll(async () => {
  t = await createTestKernel({ plugins: [plugin] });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'bio-sites');
  document = (await t.request('GET', '/api/v1/openapi.json')).body;
});
afterAll(() => t?.close());

describe('create bodies', () => {
  it('start new links, blocks and short links shown, and new sites unpublished, as the server does', async () => {
    expect(body('/sites/{id}/links', 'post').properties.active).toMatchObject({ type: 'boolean', default: true });
    expect(body('/sites/{id}/blocks', 'post').properties.active).toMatchObject({ type: 'boolean', default: true });
    expect(body('/short-links', 'post').properties.active).toMatchObject({ type: 'boolean', default: true });
    expect(body('/sites', 'post').properties.status).toMatchObject({ default: 'unpublished' });

    const site = await createSite(t, owner, { slug: 'form-defaults', title: 'Defaults' });
    expect(site.status).toBe('unpublished');
    const link = await t.request('POST', `/api/v1/bio-sites/sites/${site.id}/links`, {
      headers: owner.headers,
      body: { title: 'Shop', url: 'https://example.com/shop' },
    });
    expect(link.status).toBe(201);
    expect(link.body.data).toMatchObject({ active: true });
  });

  it('describe the theme: colours as colour widgets, the font and preset as choices', () => {
    const theme = body('/sites', 'post').properties.theme as unknown as Schema;
    expect(theme.properties.accent).toMatchObject({ 'x-plinth-widget': 'color', pattern: '^#[0-9a-fA-F]{6}$', title: 'Accent colour' });
    expect(theme.properties.font!.anyOf!.map((choice) => choice.const)).toEqual(['system', 'serif', 'mono', 'rounded']);
  });
});

describe('update bodies', () => {
  it('carry no defaults: a PATCH leaves what it does not name as it was', async () => {
    for (const [path, field] of [
      ['/sites/{id}', 'status'],
      ['/short-links/{id}', 'active'],
      ['/sites/{id}/blocks/{blockId}', 'active'],
    ] as const) {
      expect(body(path, 'patch').properties[field], path).not.toHaveProperty('default');
    }
    const site = await createSite(t, owner, { slug: 'form-patch', title: 'Patch', status: 'published' });
    const patched = await t.request('PATCH', `/api/v1/bio-sites/sites/${site.id}`, { headers: owner.headers, body: { title: 'Renamed' } });
    expect(patched.status).toBe(200);
    expect(patched.body.data).toMatchObject({ title: 'Renamed', status: 'published' });
  });
});
