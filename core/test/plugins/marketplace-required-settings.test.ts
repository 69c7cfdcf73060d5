import { definePlugin, Type } from '@plinth/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';

/** A plugin that cannot run without a setting (no default), and one that requires it. */
const keyed = definePlugin({
  name: 'keyed',
  version: '1.0.0',
  title: 'Keyed',
  description: 'Needs an API key',
  category: 'testing',
  requires: { core: '>=0.1.0' },
  settings: Type.Object({ apiKey: Type.String({ minLength: 8 }), region: Type.Union([Type.Literal('eu'), Type.Literal('us')], { default: 'eu' }) }),
});
const keyUser = definePlugin({
  name: 'key-user',
  version: '1.0.0',
  title: 'Key user',
  description: 'Uses keyed',
  category: 'testing',
  requires: { core: '>=0.1.0', plugins: { keyed: '^1.0.0' } },
});

let t: TestKernel;
let owner: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [keyed, keyUser] });
  owner = await signUp(t, { tenant: true });
});
afterAll(() => t.close());

const call = (method: string, path: string, body?: unknown) => t.request(method, `/api/v1${path}`, { headers: owner.headers, body });

describe('settings without defaults', () => {
  it('refuses to enable without them: 422 naming the missing field', async () => {
    const response = await call('POST', '/marketplace/keyed/enable', {});
    expect(response.status).toBe(422);
    expect(response.body.errors).toEqual({ 'settings.apiKey': ['is required'] });
  });

  it('refuses a value outside the schema, naming the field', async () => {
    const response = await call('POST', '/marketplace/keyed/enable', { settings: { apiKey: 'long-enough-key', region: 'mars' } });
    expect(response.status).toBe(422);
    expect(Object.keys(response.body.errors)).toEqual(['settings.region']);
  });

  it('will not enable such a dependency on its own: 422 naming it, nothing enabled', async () => {
    const response = await call('POST', '/marketplace/key-user/enable?with_dependencies=true', {});
    expect(response.status).toBe(422);
    expect(response.body.errors).toEqual({ 'dependencies.keyed': ['needs settings: enable it on its own first'] });
    const listed = (await call('GET', '/marketplace')).body.data as { name: string; enabled: boolean }[];
    expect(listed.filter((plugin) => plugin.enabled)).toEqual([]);
  });

  it('enables with the settings given, defaults filled in, and then the dependent', async () => {
    const response = await call('POST', '/marketplace/keyed/enable', { settings: { apiKey: 'long-enough-key' } });
    expect(response.status).toBe(200);
    expect(response.body.data.settings).toEqual({ apiKey: 'long-enough-key', region: 'eu' });
    expect((await call('POST', '/marketplace/key-user/enable', {})).status).toBe(200);
  });

  it('refuses settings that drop a required field on PUT, keeping the old ones', async () => {
    expect((await call('PUT', '/plugins/keyed/settings', { region: 'us' })).body.errors).toEqual({ apiKey: ['is required'] });
    expect((await call('GET', '/plugins/keyed/settings')).body.data).toEqual({ apiKey: 'long-enough-key', region: 'eu' });
  });
});
