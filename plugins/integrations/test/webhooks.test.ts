import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntegrationsPlugin } from '../src/plugin.js';
import { RETRY_DELAYS_MS } from '../src/webhooks/schedule.js';
import { ManualClock } from './support/clock.js';
import { eventually } from './support/eventually.js';
import { probePlugin } from './support/probe-plugin.js';
import { startReceiver, type Receiver } from './support/receiver.js';
import { verifyStandardWebhook } from './support/standard-webhooks.js';

const clock = new ManualClock();
const logLines: string[] = [];
const logger = pino({ level: 'debug' }, new Writable({ write: (chunk, _encoding, done) => (logLines.push(String(chunk)), done()) }));
const secretsSeen: string[] = [];

let t: TestKernel;
let owner: TestUser;
let receiver: Receiver;
beforeAll(async () => {
  // The receiver is on loopback; the clock is the host's (`coreServices.clock`), moved by the test.
  t = await createTestKernel({
    plugins: [createIntegrationsPlugin(), probePlugin],
    logger,
    env: { PLINTH_HTTP_ALLOW_LOOPBACK: 'true' },
    services: { clock: () => clock },
  });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'integrations');
  await t.enable(owner, 'probe');
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await t?.close();
});

const api = (method: string, path: string, body?: unknown) => t.request(method, `/api/v1/integrations${path}`, { headers: owner.headers, body });
const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);

async function emit(payload: Record<string, unknown> = { total: 100 }): Promise<void> {
  expect((await t.request('POST', '/api/v1/probe/emit', { headers: owner.headers, body: payload })).status).toBe(200);
  await t.drainEvents();
  await t.drainJobs();
}

/** Runs the retries that are due by the manual clock: the job system's own clock is real, so its rows are brought forward. */
async function runDueRetries(): Promise<void> {
  await t.sql("update plinth_jobs set next_run_at = now() where name = 'integrations.webhook.deliver' and next_run_at > now()");
  await t.drainJobs();
}

async function createEndpoint(body: Record<string, unknown>): Promise<{ id: string; secret: string }> {
  const created = await api('POST', '/webhooks', body);
  expect(created.status).toBe(201);
  secretsSeen.push(created.body.data.secret);
  return created.body.data;
}

async function deliveries(endpointId: string) {
  return (await api('GET', `/webhooks/${endpointId}/deliveries`)).body.data as {
    id: string;
    status: string;
    attempt_count: number;
    next_attempt_at: string | null;
  }[];
}

describe('outgoing webhooks', () => {
  it('shows the secret once, in the Standard Webhooks form, and never again', async () => {
    const created = await createEndpoint({ url: `${receiver.url}/hooks`, events: ['probe.*'], description: 'probe receiver' });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(created.secret.slice(6), 'base64')).toHaveLength(32);
    const fetched = await api('GET', `/webhooks/${created.id}`);
    expect(fetched.body.data).not.toHaveProperty('secret');
    expect(JSON.stringify((await api('GET', '/webhooks')).body)).not.toContain(created.secret.slice(6));
    await api('DELETE', `/webhooks/${created.id}`);
  });

  it('delivers signed messages a Standard Webhooks verifier accepts, only for subscribed events', async () => {
    const endpoint = await createEndpoint({ url: `${receiver.url}/hooks`, events: ['probe.thing.happened'] });
    const other = await createEndpoint({ url: `${receiver.url}/other`, events: ['shop.*'] });
    receiver.received.length = 0;
    await emit({ total: 4200, name: 'Ada' });
    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(request!.path).toBe('/hooks');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(request!.headers['webhook-timestamp']).toBe(String(nowSeconds()));
    expect(verifyStandardWebhook(endpoint.secret, request!.headers, request!.body, nowSeconds())).toBe(true);
    expect(verifyStandardWebhook(endpoint.secret, request!.headers, `${request!.body} `, nowSeconds())).toBe(false);
    expect(verifyStandardWebhook(other.secret, request!.headers, request!.body, nowSeconds())).toBe(false);
    expect(JSON.parse(request!.body)).toEqual({ type: 'probe.thing.happened', timestamp: expect.any(String), data: { total: 4200, name: 'Ada' } });

    const [delivery] = await deliveries(endpoint.id);
    expect(delivery).toMatchObject({ status: 'succeeded', attempt_count: 1, next_attempt_at: null });
    const detail = await api('GET', `/webhooks/${endpoint.id}/deliveries/${delivery!.id}`);
    expect(detail.body.data.attempts).toEqual([
      expect.objectContaining({ attempt: 1, manual: false, response_status: 200, response_body: 'ok', error: null, url: `${receiver.url}/hooks` }),
    ]);
    expect(await deliveries(other.id)).toEqual([]);
    await api('DELETE', `/webhooks/${other.id}`);
    await api('PATCH', `/webhooks/${endpoint.id}`, { enabled: false });
  });

  it('retries on the schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 24 h, with jitter) with the same id, then gives up', async () => {
    const endpoint = await createEndpoint({ url: `${receiver.url}/flaky`, events: ['probe.*'] });
    receiver.received.length = 0;
    receiver.answer(...Array.from({ length: 8 }, () => ({ status: 500, body: 'boom' })));
    await emit();
    for (const [index, delay] of RETRY_DELAYS_MS.entries()) {
      const [delivery] = await deliveries(endpoint.id);
      expect(delivery).toMatchObject({ status: 'pending', attempt_count: index + 1 });
      const wait = Date.parse(delivery!.next_attempt_at!) - clock.now().getTime();
      expect(wait).toBeGreaterThanOrEqual(delay * 0.9);
      expect(wait).toBeLessThanOrEqual(delay * 1.1);
      clock.set(new Date(delivery!.next_attempt_at!));
      await runDueRetries();
    }
    const [finished] = await deliveries(endpoint.id);
    expect(finished).toMatchObject({ status: 'failed', attempt_count: 8, next_attempt_at: null });
    expect(receiver.received).toHaveLength(8);
    expect(new Set(receiver.received.map((request) => request.headers['webhook-id'])).size).toBe(1);
    expect(new Set(receiver.received.map((request) => request.headers['webhook-timestamp'])).size).toBe(8);
    await api('PATCH', `/webhooks/${endpoint.id}`, { enabled: false });
  });

  it('redelivers on demand with the same webhook-id, freshly signed', async () => {
    const endpoint = await createEndpoint({ url: `${receiver.url}/again`, events: ['probe.*'] });
    receiver.received.length = 0;
    await emit();
    const [delivery] = await deliveries(endpoint.id);
    clock.advance(60_000);
    const redelivered = await api('POST', `/webhooks/${endpoint.id}/deliveries/${delivery!.id}/redeliver`);
    expect(redelivered.status).toBe(202);
    await t.drainJobs();
    expect(receiver.received).toHaveLength(2);
    const [first, second] = receiver.received;
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(redelivered.body.data.message_id).toBe(first!.headers['webhook-id']);
    expect(verifyStandardWebhook(endpoint.secret, second!.headers, second!.body, nowSeconds())).toBe(true);
    const detail = await api('GET', `/webhooks/${endpoint.id}/deliveries/${delivery!.id}`);
    expect(detail.body.data.attempts.map((attempt: { manual: boolean }) => attempt.manual)).toEqual([false, true]);
    await api('PATCH', `/webhooks/${endpoint.id}`, { enabled: false });
  });

  it('rotates the secret: both sign during the overlap, only the new one after', async () => {
    const endpoint = await createEndpoint({ url: `${receiver.url}/rotating`, events: ['probe.*'] });
    const rotated = await api('POST', `/webhooks/${endpoint.id}/rotate-secret`, { overlap_seconds: 3600 });
    expect(rotated.status).toBe(200);
    const fresh = rotated.body.data.secret as string;
    secretsSeen.push(fresh);
    expect(fresh).not.toBe(endpoint.secret);
    receiver.received.length = 0;
    await emit();
    const [during] = receiver.received;
    expect(during!.headers['webhook-signature']!.toString().split(' ')).toHaveLength(2);
    expect(verifyStandardWebhook(fresh, during!.headers, during!.body, nowSeconds())).toBe(true);
    expect(verifyStandardWebhook(endpoint.secret, during!.headers, during!.body, nowSeconds())).toBe(true);

    clock.advance(3601_000);
    await emit();
    const after = receiver.received[1]!;
    expect(verifyStandardWebhook(fresh, after.headers, after.body, nowSeconds())).toBe(true);
    expect(verifyStandardWebhook(endpoint.secret, after.headers, after.body, nowSeconds())).toBe(false);
    expect((await api('GET', `/webhooks/${endpoint.id}`)).body.data).not.toHaveProperty('secret');
    await api('PATCH', `/webhooks/${endpoint.id}`, { enabled: false });
  });

  it('does not follow redirects: a 3xx is a failed attempt and the target is never called', async () => {
    const target = await startReceiver();
    const endpoint = await createEndpoint({ url: `${receiver.url}/moved`, events: ['probe.*'] });
    receiver.answer(
      { status: 302, headers: { location: `${target.url}/stolen` } },
      { status: 307, headers: { location: 'http://169.254.169.254/latest/meta-data/' } },
    );
    await emit();
    expect(target.received).toEqual([]);
    const [first] = await deliveries(endpoint.id);
    clock.set(new Date(first!.next_attempt_at!));
    await runDueRetries();
    const [delivery] = await deliveries(endpoint.id);
    expect(delivery).toMatchObject({ status: 'pending', attempt_count: 2, last_status: 307 });
    await target.close();
    await api('PATCH', `/webhooks/${endpoint.id}`, { enabled: false });
  });

  it('sends a signed test message on demand', async () => {
    const endpoint = await createEndpoint({ url: `${receiver.url}/test`, events: ['none.*'] });
    receiver.received.length = 0;
    const queued = await api('POST', `/webhooks/${endpoint.id}/test`);
    expect(queued.status).toBe(202);
    await t.drainJobs();
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.headers['webhook-id']).toBe(queued.body.data.message_id);
    expect(JSON.parse(receiver.received[0]!.body).type).toBe('integrations.webhook.test');
    expect(verifyStandardWebhook(endpoint.secret, receiver.received[0]!.headers, receiver.received[0]!.body, nowSeconds())).toBe(true);
    await api('PATCH', `/webhooks/${endpoint.id}`, { enabled: false });
  });

  it('disables an endpoint answering 410, telling its admins in the app and by email', async () => {
    const endpoint = await createEndpoint({ url: `${receiver.url}/gone`, events: ['probe.*'] });
    receiver.answer({ status: 410, body: 'gone' });
    await emit();
    const fetched = (await api('GET', `/webhooks/${endpoint.id}`)).body.data;
    expect(fetched).toMatchObject({ enabled: false, disabled_reason: 'the receiver answered 410 Gone' });
    expect((await deliveries(endpoint.id))[0]).toMatchObject({ status: 'failed', attempt_count: 1 });
    const inbox = await t.request('GET', '/api/v1/notifications', { headers: owner.headers });
    expect(inbox.body.data[0]).toMatchObject({
      title: 'A webhook endpoint was disabled',
      body: `Deliveries to ${receiver.url}/gone stopped: the receiver answered 410 Gone. Fix the receiver, then enable the endpoint again and redeliver what it missed.`,
      category: 'integrations.webhooks',
      read_at: null,
    });
    await eventually(async () => ((await t.mailbox(owner.email)).some((mail) => mail.subject === 'A webhook endpoint was disabled') ? true : undefined));
    const redeliver = await api('POST', `/webhooks/${endpoint.id}/deliveries/${(await deliveries(endpoint.id))[0]!.id}/redeliver`);
    expect(redeliver.status).toBe(409);
    expect(redeliver.body.code).toBe('endpoint_disabled');
    const reenabled = await api('PATCH', `/webhooks/${endpoint.id}`, { enabled: true });
    expect(reenabled.body.data).toMatchObject({ enabled: true, disabled_reason: null, failing_since: null });
    await api('PATCH', `/webhooks/${endpoint.id}`, { enabled: false });
  });

  it('disables an endpoint after sustained failure (the tenant setting)', async () => {
    await t.request('PUT', '/api/v1/plugins/integrations/settings', { headers: owner.headers, body: { disableEndpointAfterHours: 1 } });
    const endpoint = await createEndpoint({ url: `${receiver.url}/down`, events: ['probe.*'] });
    receiver.answer(...Array.from({ length: 5 }, () => ({ status: 503 })));
    await emit();
    for (let round = 0; round < 4; round += 1) {
      const [delivery] = await deliveries(endpoint.id);
      if (!delivery!.next_attempt_at) break;
      clock.set(new Date(delivery!.next_attempt_at));
      await runDueRetries();
    }
    const fetched = (await api('GET', `/webhooks/${endpoint.id}`)).body.data;
    expect(fetched.enabled).toBe(false);
    expect(fetched.disabled_reason).toBe('every delivery failed for 1 hours');
    await t.request('PUT', '/api/v1/plugins/integrations/settings', { headers: owner.headers, body: { disableEndpointAfterHours: 120 } });
  });

  it('refuses bad endpoints with field errors', async () => {
    const bad = [
      {},
      { url: 'not a url', events: ['probe.*'] },
      { url: 'ftp://example.com/x', events: ['probe.*'] },
      { url: 'https://user:pw@example.com/x', events: ['probe.*'] },
      { url: 'https://example.com/x', events: [] },
      { url: 'https://example.com/x', events: ['Not An Event'] },
      { url: 'https://example.com/x', events: ['probe.*'], extra: 1 },
    ];
    for (const body of bad) {
      const response = await api('POST', '/webhooks', body);
      expect(response.status, JSON.stringify(body)).toBe(422);
      expect(response.body.code).toBe('validation_failed');
    }
    expect((await api('GET', '/webhooks/not-a-uuid')).status).toBe(422);
    const some = await createEndpoint({ url: 'https://example.com/x', events: ['none.*'], enabled: false });
    expect((await api('PATCH', `/webhooks/${some.id}`, {})).status).toBe(422);
    expect((await api('PATCH', `/webhooks/${some.id}`, { url: 'ftp://x' })).body.errors).toEqual({ url: ['must use http or https'] });
    expect((await api('POST', `/webhooks/${some.id}/rotate-secret`, { overlap_seconds: -1 })).status).toBe(422);
    expect((await api('POST', `/webhooks/${some.id}/test`)).body.code).toBe('endpoint_disabled');
    expect((await api('GET', '/webhooks/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await api('PATCH', '/webhooks/00000000-0000-4000-8000-000000000000', { enabled: true })).status).toBe(404);
    expect((await api('POST', '/webhooks/00000000-0000-4000-8000-000000000000/rotate-secret', {})).status).toBe(404);
  });

  it('never writes a secret to a log line or to the delivery log', async () => {
    expect(secretsSeen.length).toBeGreaterThan(3);
    const stored = JSON.stringify(await t.sql('select request_headers, request_body, response_body from integrations_delivery_attempts'));
    for (const secret of secretsSeen) {
      const key = secret.slice('whsec_'.length);
      expect(logLines.join('\n')).not.toContain(key);
      expect(stored).not.toContain(key);
    }
    expect(logLines.length).toBeGreaterThan(0);
  });
});
