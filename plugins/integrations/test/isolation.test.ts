import { createHmac } from 'node:crypto';
import { addMember, createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntegrationsPlugin } from '../src/plugin.js';
import { fakeShopPlugin } from './support/fake-shop.js';
import { probePlugin } from './support/probe-plugin.js';
import { startReceiver, type Receiver } from './support/receiver.js';

let t: TestKernel;
let a: TestUser;
let b: TestUser;
let memberOfA: TestUser;
let receiver: Receiver;
const ofA: Record<string, string> = {};
const FAKE = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  receiver = await startReceiver();
  t = await createTestKernel({ plugins: [fakeShopPlugin, createIntegrationsPlugin(), probePlugin], env: { PLINTH_HTTP_ALLOW_LOOPBACK: 'true' } });
  [a, b] = await Promise.all([signUp(t, { tenant: true }), signUp(t, { tenant: true })]);
  for (const owner of [a, b]) for (const plugin of ['shop', 'integrations', 'probe']) await t.enable(owner, plugin);
  memberOfA = await addMember(t, a, ['member']);
  const post = async (path: string, body: unknown, as = a) => {
    const response = await t.request('POST', `/api/v1/integrations${path}`, { headers: as.headers, body });
    expect(response.status, `${path} ${JSON.stringify(response.body)}`).toBe(201);
    return response.body.data;
  };
  ofA.endpoint = (await post('/webhooks', { url: `${receiver.url}/a`, events: ['*'] })).id;
  ofA.channel = (await post('/channels', { name: 'a-sms', kind: 'sms', provider: 'log' })).id;
  ofA.template = (await post('/templates', { name: 'a-inbox', kind: 'in_app', subject: 'For A', body: 'A only' })).id;
  ofA.rule = (
    await post('/notification-rules', { name: 'a', event: 'probe.*', template_id: ofA.template, recipient: { type: 'member', user_id: memberOfA.id } })
  ).id;
  ofA.source = (await post('/inbound-sources', { name: 'a-source' })).id;
  const woo = await post('/woocommerce/connections', {
    name: 'a-store',
    store_url: 'https://a.example.com',
    consumer_key: 'ck_aaaaaaaa11',
    consumer_secret: 'cs_aaaaaaaa11',
    currency: 'EUR',
  });
  ofA.connection = woo.id;
  ofA.wooSecret = woo.webhook_secret;
  await post('/webhooks', { url: `${receiver.url}/b`, events: ['*'] }, b);
  await t.request('POST', '/api/v1/probe/emit', { headers: a.headers, body: { total: 1 } });
  await t.drainEvents();
  await t.drainJobs();
  ofA.delivery = (await t.request('GET', `/api/v1/integrations/webhooks/${ofA.endpoint}/deliveries`, { headers: a.headers })).body.data[0].id;
  // In-app rules notify through the kernel: the item is in A's member's kernel inbox.
  ofA.inbox = (await t.request('GET', '/api/v1/notifications', { headers: memberOfA.headers })).body.data[0].id;
});
afterAll(async () => {
  await receiver?.close();
  await t?.close();
});

const asB = (method: string, path: string, body?: unknown) => t.request(method, `/api/v1/integrations${path}`, { headers: b.headers, body });

describe('integrations tenant isolation', () => {
  it("B's endpoints receive none of A's events", async () => {
    // A's endpoint (subscribed to everything) gets A's events; B's gets none of them.
    expect(new Set(receiver.received.map((request) => request.path))).toEqual(new Set(['/a']));
  });

  it("B's lists and counts show nothing of A's", async () => {
    for (const path of ['/channels', '/templates', '/notification-rules', '/notification-log', '/inbound-sources', '/woocommerce/connections']) {
      const response = await asB('GET', path);
      expect(response.status, path).toBe(200);
      expect(response.body.data, path).toEqual([]);
      expect(response.body.meta.pagination.total, path).toBe(0);
    }
    const endpoints = (await asB('GET', '/webhooks')).body.data;
    expect(endpoints.map((endpoint: { id: string }) => endpoint.id)).not.toContain(ofA.endpoint);
    const inboxOfB = await t.request('GET', '/api/v1/notifications', { headers: b.headers });
    expect(inboxOfB.body.data).toEqual([]);
    expect(inboxOfB.body.meta.pagination.total).toBe(0);
    expect((await t.request('GET', '/api/v1/notifications/unread-count', { headers: b.headers })).body.data).toEqual({ unread: 0 });
  });

  it("B can neither read, change, rotate, redeliver nor remove A's resources (404)", async () => {
    const attempts: [string, string, unknown?][] = [
      ['GET', `/webhooks/${ofA.endpoint}`],
      ['PATCH', `/webhooks/${ofA.endpoint}`, { enabled: false }],
      ['POST', `/webhooks/${ofA.endpoint}/rotate-secret`, {}],
      ['POST', `/webhooks/${ofA.endpoint}/test`],
      ['GET', `/webhooks/${ofA.endpoint}/deliveries`],
      ['GET', `/webhooks/${ofA.endpoint}/deliveries/${ofA.delivery}`],
      ['POST', `/webhooks/${ofA.endpoint}/deliveries/${ofA.delivery}/redeliver`],
      ['DELETE', `/webhooks/${ofA.endpoint}`],
      ['GET', `/channels/${ofA.channel}`],
      ['PATCH', `/channels/${ofA.channel}`, { enabled: false }],
      ['DELETE', `/channels/${ofA.channel}`],
      ['GET', `/templates/${ofA.template}`],
      ['PATCH', `/templates/${ofA.template}`, { body: 'hijacked' }],
      ['POST', `/templates/${ofA.template}/preview`, { payload: {} }],
      ['DELETE', `/templates/${ofA.template}`],
      ['GET', `/notification-rules/${ofA.rule}`],
      ['PATCH', `/notification-rules/${ofA.rule}`, { enabled: false }],
      ['DELETE', `/notification-rules/${ofA.rule}`],
      ['GET', `/inbound-sources/${ofA.source}`],
      ['PATCH', `/inbound-sources/${ofA.source}`, { enabled: false }],
      ['POST', `/inbound-sources/${ofA.source}/rotate-secret`],
      ['GET', `/inbound-sources/${ofA.source}/messages`],
      ['DELETE', `/inbound-sources/${ofA.source}`],
      ['GET', `/woocommerce/connections/${ofA.connection}`],
      ['PATCH', `/woocommerce/connections/${ofA.connection}`, { enabled: false }],
      ['POST', `/woocommerce/connections/${ofA.connection}/reconcile`],
      ['GET', `/woocommerce/connections/${ofA.connection}/records`],
      ['DELETE', `/woocommerce/connections/${ofA.connection}`],
    ];
    for (const [method, path, body] of attempts) {
      const response = await asB(method, path, body);
      expect(response.status, `${method} ${path}`).toBe(404);
    }
    expect((await t.request('POST', `/api/v1/notifications/${ofA.inbox}/read`, { headers: b.headers })).status).toBe(404);
    expect((await t.request('POST', '/api/v1/notifications/read-all', { headers: b.headers })).body.data).toEqual({ updated: 0 });
    const [stillThere] = await t.sql<{ count: number }>(
      `select (select count(*) from integrations_endpoints where enabled) + (select count(*) from integrations_channels where enabled)
            + (select count(*) from integrations_rules where enabled) + (select count(*) from integrations_inbound_sources where enabled)
            + (select count(*) from integrations_woo_connections where enabled) + (select count(*) from notification_items where read_at is null and user_id = $1) as count`,
      [memberOfA.id],
    );
    expect(Number(stillThere!.count)).toBe(7);
    expect((await t.request('GET', `/api/v1/integrations/templates/${ofA.template}`, { headers: a.headers })).body.data.body).toBe('A only');
  });

  it("B cannot point its rules at A's templates, channels or members", async () => {
    const own = (await asB('POST', '/templates', { name: 'b', kind: 'in_app', subject: 'B', body: 'B' })).body.data;
    for (const body of [
      { name: 'x', event: 'probe.*', template_id: ofA.template, recipient: { type: 'role', role: 'member' } },
      { name: 'x', event: 'probe.*', template_id: own.id, channel_id: ofA.channel, recipient: { type: 'role', role: 'member' } },
      { name: 'x', event: 'probe.*', template_id: own.id, recipient: { type: 'member', user_id: memberOfA.id } },
    ]) {
      expect((await asB('POST', '/notification-rules', body)).status, JSON.stringify(body)).toBe(422);
    }
  });

  it("the public inbound routes do not find A's sources and connections under B's name", async () => {
    const body = '{"id":1}';
    const signature = createHmac('sha256', ofA.wooSecret!).update(body).digest('base64');
    const woo = await fetch(`${t.url}/api/v1/integrations/woocommerce/${b.tenant!.slug}/${ofA.connection}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-wc-webhook-topic': 'product.created', 'x-wc-webhook-signature': signature },
      body,
    });
    expect(woo.status).toBe(404);
    const inbound = await fetch(`${t.url}/api/v1/integrations/inbound/${b.tenant!.slug}/${ofA.source}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(inbound.status).toBe(404);
  });

  it("refuses B's user on A's tenant, and hides unknown ids", async () => {
    expect((await t.request('GET', '/api/v1/integrations/webhooks', { headers: { ...b.headers, 'x-tenant': a.tenant!.slug } })).status).toBe(403);
    expect((await asB('GET', `/webhooks/${FAKE}`)).status).toBe(404);
  });
});
