import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntegrationsPlugin } from '../src/plugin.js';

// Registration refuses the destinations delivery would refuse (issue 15): a webhook or store URL pointing at
// this machine, a private network or a cloud metadata service is a 422 naming the field, in whatever notation.
// The checks themselves are the kernel's (`coreServices.http`, core/test/net/http-client.test.ts).

/** One of each kind, with the reason the answer gives; every notation is core's test (core/test/net/http-client.test.ts). */
const refused: [string, RegExp][] = [
  ['http://0x7f000001/hex', /loopback address \(127\.0\.0\.1\)/],
  ['http://[::ffff:a9fe:a9fe]/mapped-metadata', /link-local \(cloud metadata\) address/],
  ['http://10.0.0.1/internal', /private address \(10\.0\.0\.1\)/],
  ['http://metadata.google.internal/computeMetadata/v1/', /internal network/],
  ['http://localhost:3000/by-name', /loopback name/],
  ['http://instance-data/latest/', /has no domain/],
];

let t: TestKernel;
let owner: TestUser;
let endpointId: string;
let connectionId: string;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [createIntegrationsPlugin()] });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'integrations');
  const endpoint = await api('POST', '/webhooks', { url: 'https://hooks.example.com/plinth', events: ['*'] });
  expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(201);
  endpointId = endpoint.body.data.id;
  const connection = await api('POST', '/woocommerce/connections', { ...store, store_url: 'https://store.example.com' });
  expect(connection.status, JSON.stringify(connection.body)).toBe(201);
  connectionId = connection.body.data.id;
});
afterAll(async () => {
  await t?.close();
});

const api = (method: string, path: string, body?: unknown) => t.request(method, `/api/v1/integrations${path}`, { headers: owner.headers, body });
const store = { name: 'Store', consumer_key: 'ck_abcdefgh12345678', consumer_secret: 'cs_secret12345678', currency: 'EUR' };

describe('registering an outbound URL', () => {
  it.each(refused)('refuses the webhook URL %s at creation and change, naming url', async (url, reason) => {
    const created = await api('POST', '/webhooks', { url, events: ['*'] });
    expect(created.status).toBe(422);
    expect(created.body).toMatchObject({ success: false, code: 'validation_failed' });
    expect(created.body.errors.url[0]).toMatch(reason);
    const changed = await api('PATCH', `/webhooks/${endpointId}`, { url });
    expect(changed.status).toBe(422);
    expect(changed.body.errors.url[0]).toMatch(reason);
  });

  it.each(refused)('refuses the WooCommerce store URL %s at creation and change, naming store_url', async (url, reason) => {
    const created = await api('POST', '/woocommerce/connections', { ...store, store_url: url });
    expect(created.status).toBe(422);
    expect(created.body.errors.store_url[0]).toMatch(reason);
    const changed = await api('PATCH', `/woocommerce/connections/${connectionId}`, { store_url: url });
    expect(changed.status).toBe(422);
    expect(changed.body.errors.store_url[0]).toMatch(reason);
  });

  it('leaves the stored URLs as they were', async () => {
    expect((await api('GET', `/webhooks/${endpointId}`)).body.data.url).toBe('https://hooks.example.com/plinth');
    expect((await api('GET', `/woocommerce/connections/${connectionId}`)).body.data.store_url).toBe('https://store.example.com');
  });

  it('accepts loopback when the host sets PLINTH_HTTP_ALLOW_LOOPBACK (development), and still no private address', async () => {
    const development = await createTestKernel({ plugins: [createIntegrationsPlugin()], env: { PLINTH_HTTP_ALLOW_LOOPBACK: 'true' } });
    try {
      const developer = await signUp(development, { tenant: true });
      await development.enable(developer, 'integrations');
      const post = (path: string, body: unknown) => development.request('POST', `/api/v1/integrations${path}`, { headers: developer.headers, body });
      expect((await post('/webhooks', { url: 'http://127.0.0.1:4000/hook', events: ['*'] })).status).toBe(201);
      expect((await post('/woocommerce/connections', { ...store, store_url: 'http://localhost:8080' })).status).toBe(201);
      const metadata = await post('/webhooks', { url: 'http://169.254.169.254/latest/meta-data/', events: ['*'] });
      expect(metadata.status).toBe(422);
      expect(metadata.body.errors.url[0]).toMatch(/cloud metadata/);
    } finally {
      await development.close();
    }
  });
});
