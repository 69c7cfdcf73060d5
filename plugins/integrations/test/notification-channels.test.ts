import { addMember, createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntegrationsPlugin } from '../src/plugin.js';
import { notifierPlugin } from './support/notifier-plugin.js';
import { startReceiver, type Receiver } from './support/receiver.js';

// Issue 24: the kernel sends a notification's SMS and WhatsApp messages through the `core.notification.send` hook,
// which Integrations taps with the tenant's channels (Twilio, here a local stand-in checked on the wire).
const ACCOUNT_SID = `AC${'2'.repeat(32)}`;
const AUTH_TOKEN = 'twilio-auth-token-for-notifications';
const SENDER = '+15550007777';

let t: TestKernel;
let twilioServer: Receiver;
/** A tenant with a Twilio SMS channel, and its member with a verified phone. */
let a: TestUser;
let memberOfA: TestUser;
/** A tenant with Integrations but no SMS channel, and its member with a verified phone. */
let b: TestUser;
let memberOfB: TestUser;

const PHONE_OF_A = '+15550001001';
const PHONE_OF_B = '+15550002002';

const twilioAnswer = (sid: string) => ({
  status: 201,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ sid, status: 'queued', account_sid: ACCOUNT_SID, body: 'x', to: PHONE_OF_A, from: SENDER }),
});

/**
 * Gives a member a verified phone number. Set in the database directly: the test is about the channel, not about
 * the verification (`PUT /api/v1/me/phone` + code), which the kernel's own tests cover.
 */
async function verifiedPhone(user: TestUser, phone: string): Promise<void> {
  await t.sql('update users set phone = $2, phone_verified_at = now() where id = $1', [user.id, phone]);
}

async function ping(as: TestUser, to: TestUser, code: string, template?: string): Promise<{ recipients: number; failure: string | null }> {
  const response = await t.request('POST', '/api/v1/notifier/ping', { headers: as.headers, body: { user_id: to.id, code, ...(template ? { template } : {}) } });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  await t.drainJobs();
  return response.body.data;
}

interface DeliveryRow {
  channel: string;
  address: string | null;
  status: string;
  provider_message_id: string | null;
  last_error: string | null;
}

/** The SMS/WhatsApp deliveries of the notification sent with `key`. */
async function deliveriesOf(key: string): Promise<DeliveryRow[]> {
  return t.sql<DeliveryRow>(
    `select d.channel, d.address, d.status, d.provider_message_id, d.last_error from notification_deliveries d
       join notifications n on n.id = d.notification_id where n.key = $1 and d.channel in ('sms', 'whatsapp') order by d.channel`,
    [key],
  );
}

async function channel(owner: TestUser, body: Record<string, unknown>): Promise<string> {
  const response = await t.request('POST', '/api/v1/integrations/channels', { headers: owner.headers, body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.data.id;
}

const twilioChannel = (name: string, kind: 'sms' | 'whatsapp') => ({
  name,
  kind,
  provider: 'twilio',
  config: { account_sid: ACCOUNT_SID, from: SENDER },
  credentials: { auth_token: AUTH_TOKEN },
});

beforeAll(async () => {
  twilioServer = await startReceiver();
  t = await createTestKernel({ plugins: [createIntegrationsPlugin({ twilioBaseUrl: twilioServer.url }), notifierPlugin] });
  [a, b] = await Promise.all([signUp(t, { tenant: true }), signUp(t, { tenant: true })]);
  for (const owner of [a, b]) for (const plugin of ['integrations', 'notifier']) await t.enable(owner, plugin);
  memberOfA = await addMember(t, a, ['member']);
  memberOfB = await addMember(t, b, ['member']);
  await verifiedPhone(memberOfA, PHONE_OF_A);
  await verifiedPhone(memberOfB, PHONE_OF_B);
  await channel(a, twilioChannel('twilio-sms', 'sms'));
  await channel(a, twilioChannel('twilio-wa', 'whatsapp'));
  // B's SMS channels are all disabled: B has none to send with.
  const disabled = await channel(b, { name: 'off', kind: 'sms', provider: 'log' });
  await t.request('PATCH', `/api/v1/integrations/channels/${disabled}`, { headers: b.headers, body: { enabled: false } });
});
afterAll(async () => {
  await twilioServer?.close();
  await t?.close();
});

describe('notifications through the channels of Integrations', () => {
  it('sends one SMS through the Twilio channel to the member’s verified phone', async () => {
    twilioServer.received.length = 0;
    twilioServer.answer(twilioAnswer('SMnotify1'));
    expect(await ping(a, memberOfA, 'sms-1')).toEqual({ recipients: 1, failure: null });
    expect(twilioServer.received).toHaveLength(1);
    const [request] = twilioServer.received;
    expect(request!.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    expect(request!.headers.authorization).toBe(`Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`);
    expect(Object.fromEntries(new URLSearchParams(request!.body))).toEqual({ To: PHONE_OF_A, From: SENDER, Body: 'Ping sms-1' });
    expect(await deliveriesOf('sms-1')).toEqual([{ channel: 'sms', address: PHONE_OF_A, status: 'sent', provider_message_id: 'SMnotify1', last_error: null }]);
  });

  it('sends WhatsApp through the WhatsApp channel, with the whatsapp: prefix', async () => {
    twilioServer.received.length = 0;
    twilioServer.answer(twilioAnswer('SMnotify2'));
    await ping(a, memberOfA, 'wa-1', 'notifier.chat');
    expect(twilioServer.received).toHaveLength(1);
    expect(Object.fromEntries(new URLSearchParams(twilioServer.received[0]!.body))).toEqual({
      To: `whatsapp:${PHONE_OF_A}`,
      From: `whatsapp:${SENDER}`,
      Body: 'Chat wa-1',
    });
    expect(await deliveriesOf('wa-1')).toEqual([
      { channel: 'whatsapp', address: PHONE_OF_A, status: 'sent', provider_message_id: 'SMnotify2', last_error: null },
    ]);
  });

  it('uses the first enabled channel by name, or the one the settings name', async () => {
    await channel(a, { name: 'a-log', kind: 'sms', provider: 'log' });
    twilioServer.received.length = 0;
    await ping(a, memberOfA, 'sms-by-name');
    expect(twilioServer.received).toEqual([]);
    expect(await deliveriesOf('sms-by-name')).toEqual([{ channel: 'sms', address: PHONE_OF_A, status: 'sent', provider_message_id: null, last_error: null }]);

    const settings = await t.request('PUT', '/api/v1/plugins/integrations/settings', { headers: a.headers, body: { notificationSmsChannel: 'twilio-sms' } });
    expect(settings.status, JSON.stringify(settings.body)).toBe(200);
    twilioServer.answer(twilioAnswer('SMnotify3'));
    await ping(a, memberOfA, 'sms-by-setting');
    expect(twilioServer.received).toHaveLength(1);
    expect(await deliveriesOf('sms-by-setting')).toEqual([
      { channel: 'sms', address: PHONE_OF_A, status: 'sent', provider_message_id: 'SMnotify3', last_error: null },
    ]);
  });

  it('records a provider error, for the kernel to retry', async () => {
    twilioServer.received.length = 0;
    twilioServer.answer({
      status: 500,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 20500, message: 'Internal Server Error', status: 500 }),
    });
    await ping(a, memberOfA, 'sms-failing');
    expect(twilioServer.received).toHaveLength(1);
    const [failed] = await deliveriesOf('sms-failing');
    expect(failed!.status).not.toBe('sent');
    expect(failed!.last_error).toBeTruthy();
  });

  it('skips the delivery of a tenant without an enabled channel of that kind, sending nothing', async () => {
    twilioServer.received.length = 0;
    expect(await ping(b, memberOfB, 'b-sms-1')).toEqual({ recipients: 1, failure: null });
    expect(twilioServer.received).toEqual([]);
    expect(await deliveriesOf('b-sms-1')).toEqual([expect.objectContaining({ channel: 'sms', status: 'skipped', provider_message_id: null })]);
    // Still in the inbox.
    const inbox = await t.request('GET', '/api/v1/notifications', { headers: memberOfB.headers });
    expect(inbox.body.data.map((item: { title: string }) => item.title)).toEqual(['Ping b-sms-1']);
  });

  it("never reaches another tenant's member, nor sends with another tenant's channel", async () => {
    twilioServer.received.length = 0;
    const result = await ping(b, memberOfA, 'b-to-a');
    expect(result.recipients).toBe(0);
    expect(result.failure).toBeTruthy();
    expect(twilioServer.received).toEqual([]);
    expect(await deliveriesOf('b-to-a')).toEqual([]);
    const inbox = await t.request('GET', '/api/v1/notifications', { headers: memberOfA.headers });
    expect(inbox.body.data.map((item: { title: string }) => item.title)).not.toContain('Ping b-to-a');
  });
});
