import { createHmac } from 'node:crypto';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntegrationsPlugin } from '../src/plugin.js';

let t: TestKernel;
let owner: TestUser;
let source: { id: string; url: string; secret: string };
beforeAll(async () => {
  t = await createTestKernel({ plugins: [createIntegrationsPlugin()] });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'integrations');
  const created = await t.request('POST', '/api/v1/integrations/inbound-sources', { headers: owner.headers, body: { name: 'CRM export' } });
  expect(created.status).toBe(201);
  source = created.body.data;
});
afterAll(() => t?.close());

const sign = (body: string, secret = source.secret) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

async function post(body: string, options: { signature?: string; contentType?: string; url?: string } = {}) {
  const response = await fetch(`${t.url}${options.url ?? source.url}`, {
    method: 'POST',
    headers: { 'content-type': options.contentType ?? 'application/json', 'x-plinth-signature': options.signature ?? sign(body) },
    body,
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as { data: { received_id: string }; code?: string }) : null };
}

describe('generic inbound webhooks', () => {
  it('creates a source with an unguessable URL and a secret shown once', async () => {
    expect(source.url).toBe(`/api/v1/integrations/inbound/${owner.tenant!.slug}/${source.id}`);
    expect(source.secret).toMatch(/^insec_[A-Za-z0-9_-]{43}$/);
    const listed = await t.request('GET', '/api/v1/integrations/inbound-sources', { headers: owner.headers });
    expect(JSON.stringify(listed.body)).not.toContain(source.secret);
  });

  it('stores a verified payload and emits integrations.inbound.received', async () => {
    const body = JSON.stringify({ contact: { email: 'ada@example.com' }, n: 1 });
    const response = await post(body);
    expect(response.status).toBe(202);
    const messages = await t.request('GET', `/api/v1/integrations/inbound-sources/${source.id}/messages`, { headers: owner.headers });
    expect(messages.body.data).toEqual([
      expect.objectContaining({
        id: response.body!.data.received_id,
        content_type: 'application/json',
        body,
        payload: { contact: { email: 'ada@example.com' }, n: 1 },
      }),
    ]);
    expect(messages.body.data[0].headers).not.toHaveProperty('x-plinth-signature');
    const [event] = await t.sql<{ payload: Record<string, unknown> }>("select payload from plinth_events where name = 'integrations.inbound.received'");
    expect(event!.payload).toEqual({
      sourceId: source.id,
      sourceName: 'CRM export',
      receivedId: response.body!.data.received_id,
      contentType: 'application/json',
      payload: { contact: { email: 'ada@example.com' }, n: 1 },
    });
  });

  it('accepts forms and plain text too', async () => {
    expect((await post('a=1&b=two', { contentType: 'application/x-www-form-urlencoded' })).status).toBe(202);
    expect((await post('hello', { contentType: 'text/plain' })).status).toBe(202);
    const messages = (await t.request('GET', `/api/v1/integrations/inbound-sources/${source.id}/messages?per_page=2`, { headers: owner.headers })).body.data;
    expect(messages.map((message: { payload: unknown }) => message.payload)).toEqual([null, { a: '1', b: 'two' }]);
  });

  it('refuses bad signatures, unknown and disabled sources, and stores nothing', async () => {
    const before = await t.sql<{ count: number }>('select count(*)::int as count from integrations_inbound_messages');
    const body = '{"x":1}';
    expect((await post(body, { signature: sign('{"x":2}') })).body!.code).toBe('invalid_signature');
    expect((await post(body, { signature: sign(body, 'insec_wrong') })).status).toBe(401);
    expect((await post(body, { signature: '' })).status).toBe(401);
    expect((await post(body, { url: `/api/v1/integrations/inbound/${owner.tenant!.slug}/00000000-0000-4000-8000-000000000000` })).status).toBe(404);
    expect((await post(body, { url: `/api/v1/integrations/inbound/${owner.tenant!.slug}/guess` })).status).toBe(404);
    expect((await post(body, { url: `/api/v1/integrations/inbound/no-such-tenant/${source.id}` })).status).toBe(404);
    await t.request('PATCH', `/api/v1/integrations/inbound-sources/${source.id}`, { headers: owner.headers, body: { enabled: false } });
    expect((await post(body)).status).toBe(404);
    await t.request('PATCH', `/api/v1/integrations/inbound-sources/${source.id}`, { headers: owner.headers, body: { enabled: true } });
    expect(await t.sql('select count(*)::int as count from integrations_inbound_messages')).toEqual(before);
  });

  it('rotates the secret: the old one stops working', async () => {
    const rotated = await t.request('POST', `/api/v1/integrations/inbound-sources/${source.id}/rotate-secret`, { headers: owner.headers });
    expect(rotated.status).toBe(200);
    const body = '{"after":"rotation"}';
    expect((await post(body)).status).toBe(401);
    expect((await post(body, { signature: sign(body, rotated.body.data.secret) })).status).toBe(202);
    source = { ...source, secret: rotated.body.data.secret };
  });

  it('keeps its secrets sealed at rest', async () => {
    const [row] = await t.sql<{ secret_sealed: string }>('select secret_sealed from integrations_inbound_sources');
    expect(row!.secret_sealed).not.toContain(source.secret.slice(6));
  });
});
