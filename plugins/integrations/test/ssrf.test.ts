import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntegrationsPlugin } from '../src/plugin.js';
import { nextAttemptAt, RETRY_DELAYS_MS, subscribes } from '../src/webhooks/schedule.js';
import { probePlugin } from './support/probe-plugin.js';
import { startReceiver, type Receiver } from './support/receiver.js';

let t: TestKernel;
let owner: TestUser;
let receiver: Receiver;
beforeAll(async () => {
  // The production default: loopback refused.
  t = await createTestKernel({ plugins: [createIntegrationsPlugin({ deliveryTimeoutMs: 2_000 }), probePlugin] });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'integrations');
  await t.enable(owner, 'probe');
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await t?.close();
});

// The address policy and the guarded client are the kernel's (core/test/net): here, deliveries go through it.
describe('the retry schedule', () => {
  it('keeps the retry jitter within ±10 % of the schedule', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    RETRY_DELAYS_MS.forEach((delay, index) => {
      expect(nextAttemptAt(now, index + 1, () => 0)!.getTime() - now.getTime()).toBe(Math.round(delay * 0.9));
      expect(nextAttemptAt(now, index + 1, () => 1)!.getTime() - now.getTime()).toBe(Math.round(delay * 1.1));
    });
    expect(nextAttemptAt(now, RETRY_DELAYS_MS.length + 1)).toBeUndefined();
    expect(subscribes(['shop.*'], 'shop.order.paid')).toBe(true);
    expect(subscribes(['shop.*'], 'shopping.cart.filled')).toBe(false);
    expect(subscribes(['shop.order.paid'], 'shop.order.created')).toBe(false);
    expect(subscribes(['*'], 'core.plugin.enabled')).toBe(true);
  });
});

describe('delivery-time SSRF protection', () => {
  const targets = (port: number) => [
    `http://127.0.0.1:${port}/direct`,
    `http://localhost:${port}/by-name`,
    `http://[::ffff:127.0.0.1]:${port}/mapped`,
    `http://[::1]:${port}/v6`,
    `http://0x7f000001:${port}/hex`,
    `http://2130706433:${port}/decimal`,
    `http://127.1:${port}/short`,
    'http://[fd00::1]/ula',
    'http://192.168.0.10/router',
    'http://10.0.0.1/internal',
    'http://169.254.169.254/latest/meta-data/',
    'http://100.64.0.1/cgnat',
  ];

  it('refuses every loopback, private, link-local and metadata destination without sending anything', async () => {
    receiver.received.length = 0;
    const ids: string[] = [];
    for (const url of targets(receiver.port)) {
      // Registration refuses these URLs too (webhook-url-policy.test.ts); stored ones reach here when a name's
      // DNS changes after registration, so the test stores them directly.
      const created = await t.request('POST', '/api/v1/integrations/webhooks', {
        headers: owner.headers,
        body: { url: 'https://hooks.example.com/plinth', events: ['probe.*'] },
      });
      expect(created.status, url).toBe(201);
      await t.sql('update integrations_endpoints set url = $1 where id = $2', [url, created.body.data.id]);
      ids.push(created.body.data.id);
    }
    await t.request('POST', '/api/v1/probe/emit', { headers: owner.headers, body: { total: 1 } });
    await t.drainEvents();
    await t.drainJobs();
    expect(receiver.received).toEqual([]);
    for (const id of ids) {
      const [delivery] = (await t.request('GET', `/api/v1/integrations/webhooks/${id}/deliveries`, { headers: owner.headers })).body.data;
      expect(delivery).toMatchObject({ status: 'pending', attempt_count: 1, last_status: null });
      expect(delivery.last_error).toMatch(
        /^refused destination: .* a (loopback|private|private \(unique local\)|link-local \(cloud metadata\)|carrier-grade NAT) address$/,
      );
    }
  });
});
