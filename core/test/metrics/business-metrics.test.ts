import bioSites from '@plinth/plugin-bio-sites';
import consolePlugin from '@plinth/plugin-console';
import crm from '@plinth/plugin-crm';
import integrations from '@plinth/plugin-integrations';
import lms from '@plinth/plugin-lms';
import payments from '@plinth/plugin-payments';
import shop from '@plinth/plugin-shop';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createTestKernel, signUp, type MetricsSnapshot, type TestKernel, type TestUser } from '../../src/testing/index.js';

// Issue 25, "Metrics": business metrics of the first-party plugins, driven through the API, and the dashboard and
// alert rules in docs/operations checked against what a live /metrics of a host with every first-party plugin serves.
const operations = path.resolve(import.meta.dirname, '../../../docs/operations');

let t: TestKernel;
let owner: TestUser;
let receiver: Server;
let receiverUrl: string;
/** Requests the webhook receiver got at `/hooks` (the first answered 500, the rest 200) and at `/gone` (410). */
const received = { hooks: 0, gone: 0 };

beforeAll(async () => {
  receiver = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      if (request.url === '/gone') {
        received.gone++;
        response.writeHead(410).end();
        return;
      }
      received.hooks++;
      response.writeHead(received.hooks === 1 ? 500 : 200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  t = await createTestKernel({ plugins: [payments, shop, crm, lms, bioSites, integrations, consolePlugin], env: { PLINTH_HTTP_ALLOW_LOOPBACK: 'true' } });
  owner = await signUp(t, { tenant: true });
  for (const plugin of ['payments', 'shop', 'crm', 'lms', 'bio-sites', 'integrations']) await t.enable(owner, plugin);
  const gateway = await call('PUT', '/payments/providers/test', { credentials: { webhook_secret: 'whsec_metrics' } });
  expect(gateway.status).toBe(200);
});
afterAll(async () => {
  await t?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

const call = (method: string, route: string, body?: unknown) => t.request(method, `/api/v1${route}`, { headers: owner.headers, body });

/** Polls `check` (running due jobs and events first) until it holds or the deadline passes. */
async function eventually(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await t.drainEvents();
    await t.drainJobs();
    if (await check()) return;
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Creates `body` at `route` (201), returning its id. */
async function created(route: string, body: unknown): Promise<string> {
  const response = await call('POST', route, body);
  expect(response.status, `${route}: ${JSON.stringify(response.body)}`).toBe(201);
  return response.body.data.id as string;
}

let metrics: MetricsSnapshot;

describe('business metrics of the first-party plugins', () => {
  it('counts shop orders and payments by status, and webhook deliveries by outcome with their latency', async () => {
    await created('/integrations/webhooks', { url: `${receiverUrl}/hooks`, events: ['shop.order.*'] });
    await created('/integrations/webhooks', { url: `${receiverUrl}/gone`, events: ['shop.order.cancelled'] });
    const product = await call('POST', '/shop/products', {
      name: 'Metered mug',
      slug: 'metered-mug',
      status: 'active',
      variants: [{ sku: 'MUG-1', price: 1500, stock: 10 }],
    });
    expect(product.status).toBe(201);
    const items = [{ variant_id: product.body.data.variants[0].id, quantity: 1 }];
    const orderId = await created('/shop/orders', { customer: { email: 'buyer@example.test' }, items });
    const checkout = await call('POST', `/shop/orders/${orderId}/checkout`);
    expect(checkout.status).toBe(200);
    const confirmed = await call('POST', `/payments/intents/${checkout.body.data.payment_intent.id}/confirm`, { payment_method: '4242424242424242' });
    expect(confirmed.status).toBe(200);
    await eventually(async () => (await call('GET', `/shop/orders/${orderId}`)).body.data.status === 'paid');
    expect((await call('POST', `/shop/orders/${orderId}/cancel`, { note: 'changed mind' })).status).toBe(200);
    // A second order, left pending: placed and counted as such.
    await created('/shop/orders', { customer: { email: 'browser@example.test' }, items });
    // created, paid, cancelled, created: the receiver refused the first delivery (retried later), took the others;
    // the second endpoint is gone (410), so its delivery is given up.
    await eventually(async () => received.hooks >= 4 && received.gone === 1);

    metrics = await t.metrics();
    expect(metrics.value('plinth_shop_orders_total', { status: 'pending' })).toBe(2);
    expect(metrics.value('plinth_shop_orders_total', { status: 'paid' })).toBe(1);
    expect(metrics.value('plinth_shop_orders_total', { status: 'cancelled' })).toBe(1);
    expect(metrics.value('plinth_shop_orders_total', { status: 'other' })).toBe(0);
    expect(metrics.value('plinth_payments_intents_total', { status: 'succeeded' })).toBe(1);
    expect(metrics.value('plinth_payments_intents_total', { status: 'requires_payment_method' })).toBe(1);
    expect(metrics.value('plinth_payments_refunds_total', { status: 'succeeded' })).toBe(1);
    expect(metrics.value('plinth_payments_intents_total', { status: 'refunded' })).toBe(1);
    expect(metrics.value('plinth_integrations_webhook_delivery_seconds_count', { outcome: 'failed' })).toBe(2);
    expect(metrics.value('plinth_integrations_webhook_delivery_seconds_count', { outcome: 'succeeded' })).toBeGreaterThanOrEqual(3);
    expect(metrics.value('plinth_integrations_webhook_failures_total', { reason: 'http_error' })).toBe(1);
    expect(metrics.value('plinth_integrations_webhook_failures_total', { reason: 'gone' })).toBe(1);
    expect(metrics.value('plinth_integrations_webhook_deliveries_abandoned_total')).toBe(1);
    expect(metrics.value('plinth_integrations_webhook_delivery_seconds_sum')).toBeGreaterThan(0);
  });

  it('counts LMS enrolments by source and CRM campaign mails by outcome', async () => {
    const courseId = await created('/lms/courses', { title: 'Metrics 101', slug: 'metrics-101', status: 'published' });
    const learner = await addMember(t, owner, ['member']);
    expect((await call('POST', `/lms/courses/${courseId}/enrollments`, { user_id: learner.id })).status).toBe(201);

    await created('/crm/contacts', { email: 'reader@example.com', name: 'Reader', tags: ['metrics'] });
    const segmentId = await created('/crm/segments', { name: 'Metrics', filter: { tag: ['metrics'] } });
    const templateId = await created('/crm/templates', { name: 'Metrics', subject: 'News', html: '<p>Hi</p>', text: 'Hi' });
    const campaignId = await created('/crm/campaigns', { name: 'Metrics', template_id: templateId, segment_id: segmentId });
    expect((await call('POST', `/crm/campaigns/${campaignId}/send`)).status).toBe(202);
    await eventually(async () => (await call('GET', `/crm/campaigns/${campaignId}`)).body.data.status === 'sent');

    metrics = await t.metrics();
    expect(metrics.value('plinth_lms_enrollments_total', { source: 'manual' })).toBe(1);
    expect(metrics.value('plinth_lms_enrollments_total')).toBe(1);
    expect(metrics.value('plinth_crm_campaign_sends_total', { outcome: 'sent' })).toBe(1);
  });
});

/** The metric names a PromQL expression reads, as written (a histogram's series with their suffix). */
function metricNames(expression: string): string[] {
  return [...expression.matchAll(/\b(plinth_[a-z0-9_]+)/g)].map(([, name]) => name as string);
}

describe('docs/operations', () => {
  interface Panel {
    id: number;
    type: string;
    title: string;
    gridPos: { h: number; w: number; x: number; y: number };
    targets?: { expr: string; refId: string }[];
  }
  const dashboard = JSON.parse(readFileSync(path.join(operations, 'grafana-dashboard.json'), 'utf8')) as { uid: string; title: string; panels: Panel[] };
  const alerts = parseYaml(readFileSync(path.join(operations, 'prometheus-alerts.yml'), 'utf8')) as {
    groups: { name: string; rules: { alert: string; expr: string; for: string; labels: { severity: string }; annotations: { summary: string } }[] }[];
  };

  it('ship a Grafana dashboard and Prometheus rule groups of the expected shape', () => {
    expect(dashboard.uid).toBe('plinth-operations');
    expect(new Set(dashboard.panels.map((panel) => panel.id)).size).toBe(dashboard.panels.length);
    const graphs = dashboard.panels.filter((panel) => panel.type !== 'row');
    for (const panel of graphs) {
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      expect(panel.gridPos.x + panel.gridPos.w, panel.title).toBeLessThanOrEqual(24);
    }
    const alertNames = alerts.groups.flatMap((group) => group.rules.map((rule) => rule.alert));
    expect(new Set(alertNames).size).toBe(alertNames.length);
    expect(alertNames).toEqual(
      expect.arrayContaining([
        'PlinthInstanceDown',
        'PlinthHealthDegraded',
        'PlinthHigh5xxRatio',
        'PlinthHighP99Latency',
        'PlinthDbPoolExhausted',
        'PlinthEventLoopLag',
        'PlinthJobsWaiting',
        'PlinthDeadJobs',
        'PlinthWebhookFailureRatio',
      ]),
    );
    for (const rule of alerts.groups.flatMap((group) => group.rules)) {
      expect(rule.expr, rule.alert).toMatch(/\S/);
      expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/);
      expect(['critical', 'warning'], rule.alert).toContain(rule.labels.severity);
      expect(rule.annotations.summary, rule.alert).toMatch(/\S/);
    }
  });

  it('reference only metrics a live host serves, and metrics.md documents every metric it serves', async () => {
    metrics = await t.metrics();
    const expressions = [
      ...dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr)),
      ...alerts.groups.flatMap((group) => group.rules.map((rule) => rule.expr)),
    ];
    const referenced = new Set(expressions.flatMap(metricNames));
    expect(referenced.size).toBeGreaterThan(20);
    // A histogram's `_bucket`, `_count` and `_sum` series belong to its family.
    const family = (name: string) => (metrics.types.has(name) ? name : name.replace(/_(bucket|count|sum)$/, ''));
    const missing = [...referenced].filter((name) => !metrics.types.has(family(name)));
    expect(missing).toEqual([]);
    const guide = readFileSync(path.join(operations, 'metrics.md'), 'utf8');
    const undocumented = [...metrics.types.keys()].filter((name) => !guide.includes(`\`${name}\``));
    expect(undocumented).toEqual([]);
  });
});
