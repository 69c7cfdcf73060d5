import { addMember, createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntegrationsPlugin } from '../src/plugin.js';
import { probePlugin } from './support/probe-plugin.js';
import { startReceiver, type Receiver } from './support/receiver.js';

const ACCOUNT_SID = `AC${'1'.repeat(32)}`;
const AUTH_TOKEN = 'twilio-auth-token-very-secret';

const logLines: string[] = [];
const logger = pino({ level: 'debug' }, new Writable({ write: (chunk, _encoding, done) => (logLines.push(String(chunk)), done()) }));

let t: TestKernel;
let owner: TestUser;
let member: TestUser;
let twilioServer: Receiver;
beforeAll(async () => {
  twilioServer = await startReceiver();
  t = await createTestKernel({ plugins: [createIntegrationsPlugin({ twilioBaseUrl: twilioServer.url }), probePlugin], logger });
  owner = await signUp(t, { tenant: true, name: 'Olive Owner' });
  await t.enable(owner, 'integrations');
  await t.enable(owner, 'probe');
  member = await addMember(t, owner, ['member']);
});
afterAll(async () => {
  await twilioServer?.close();
  await t?.close();
});

const api = (method: string, path: string, body?: unknown, as: TestUser = owner) =>
  t.request(method, `/api/v1/integrations${path}`, { headers: as.headers, body });

async function emit(payload: Record<string, unknown>): Promise<void> {
  expect((await t.request('POST', '/api/v1/probe/emit', { headers: owner.headers, body: payload })).status).toBe(200);
  await t.drainEvents();
  await t.drainJobs();
}

async function create(path: string, body: unknown): Promise<{ id: string }> {
  const response = await api('POST', path, body);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.data;
}

const twilioAnswer = (sid: string) => ({
  status: 201,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ sid, status: 'queued', account_sid: ACCOUNT_SID, body: 'x', to: '+15550001111', from: '+15550009999' }),
});

describe('channels', () => {
  it('seals provider credentials and never answers them', async () => {
    const created = await api('POST', '/channels', {
      name: 'sms',
      kind: 'sms',
      provider: 'twilio',
      config: { account_sid: ACCOUNT_SID, from: '+15550009999' },
      credentials: { auth_token: AUTH_TOKEN },
    });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ kind: 'sms', provider: 'twilio', has_credentials: true });
    expect(JSON.stringify(created.body)).not.toContain(AUTH_TOKEN);
    expect(JSON.stringify((await api('GET', '/channels')).body)).not.toContain(AUTH_TOKEN);
    const [stored] = await t.sql<{ credentials_sealed: string }>('select credentials_sealed from integrations_channels where id = $1', [created.body.data.id]);
    expect(stored!.credentials_sealed).not.toContain(AUTH_TOKEN);
  });

  it('refuses incomplete or mismatched channels', async () => {
    const bad = [
      { name: 'x', kind: 'sms', provider: 'twilio', config: { account_sid: ACCOUNT_SID, from: '+15550009999' } },
      { name: 'x', kind: 'sms', provider: 'twilio', credentials: { auth_token: AUTH_TOKEN } },
      { name: 'x', kind: 'email', provider: 'twilio' },
      { name: 'x', kind: 'sms', provider: 'mailer' },
      { name: 'x', kind: 'fax', provider: 'log' },
      { name: 'x', kind: 'sms', provider: 'twilio', config: { account_sid: 'nope', from: '+1555' }, credentials: { auth_token: AUTH_TOKEN } },
      { name: 'sms', kind: 'sms', provider: 'log' },
    ];
    for (const body of bad) {
      const response = await api('POST', '/channels', body);
      expect(response.status, JSON.stringify(body)).toBe(422);
      expect(response.body.code).toBe('validation_failed');
    }
  });
});

describe('templates', () => {
  it('refuses unknown merge fields and code, and previews with escaping in HTML only', async () => {
    for (const body of [
      { name: 't1', kind: 'sms', body: 'Hi {{ constructor.constructor("return process")() }}' },
      { name: 't2', kind: 'sms', body: 'Hi {{ process.env.SECRET }}' },
      { name: 't3', kind: 'sms', body: 'Hi {{ payload.name' },
      { name: 't4', kind: 'email', body: 'no subject' },
      { name: 't5', kind: 'sms', body: 'x', html: '<p>x</p>' },
    ]) {
      expect((await api('POST', '/templates', body)).status, JSON.stringify(body)).toBe(422);
    }
    const template = await create('/templates', {
      name: 'preview',
      kind: 'email',
      subject: 'Order for {{ payload.name }}',
      body: 'Hello {{ payload.name }}, total {{ payload.total }}{{ payload.__proto__ }}',
      html: '<p>Hello {{ payload.name }}</p>',
    });
    const preview = await api('POST', `/templates/${template.id}/preview`, { payload: { name: '<b>Ada</b> & "co"', total: 12 } });
    expect(preview.body.data).toEqual({
      subject: 'Order for <b>Ada</b> & "co"',
      body: 'Hello <b>Ada</b> & "co", total 12',
      html: '<p>Hello &lt;b&gt;Ada&lt;/b&gt; &amp; &quot;co&quot;</p>',
    });
  });
});

describe('notification rules', () => {
  it('sends SMS through Twilio (checked on the wire) when the condition matches, to the payload phone', async () => {
    const [channel] = (await api('GET', '/channels?kind=sms')).body.data;
    const template = await create('/templates', {
      name: 'big-order-sms',
      kind: 'sms',
      event: 'probe.thing.happened',
      body: 'Big one: {{ payload.total }} for {{ payload.name }}',
    });
    const rule = await create('/notification-rules', {
      name: 'big orders by SMS',
      event: 'probe.*',
      condition: 'payload.total >= 10000',
      template_id: template.id,
      channel_id: channel.id,
      recipient: { type: 'payload', path: 'payload.phone' },
    });
    twilioServer.answer(twilioAnswer('SM0001'));
    await emit({ total: 500, phone: '+15550001111', name: 'Small' });
    await emit({ total: 25000, phone: '+15550001111', name: 'Ada' });
    expect(twilioServer.received).toHaveLength(1);
    const [request] = twilioServer.received;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    expect(request!.headers.authorization).toBe(`Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`);
    const form = new URLSearchParams(request!.body);
    expect(Object.fromEntries(form)).toEqual({ To: '+15550001111', From: '+15550009999', Body: 'Big one: 25000 for Ada' });
    const log = await api('GET', `/notification-log?rule_id=${rule.id}`);
    expect(log.body.data).toEqual([
      expect.objectContaining({ status: 'sent', recipient: '+15550001111', provider_message_id: 'SM0001', attempt_count: 1, kind: 'sms' }),
    ]);
    await api('PATCH', `/notification-rules/${rule.id}`, { enabled: false });
  });

  it('sends WhatsApp with the whatsapp: prefix, and records a provider failure for a retry', async () => {
    const channel = await create('/channels', {
      name: 'wa',
      kind: 'whatsapp',
      provider: 'twilio',
      config: { account_sid: ACCOUNT_SID, from: '+15550009999' },
      credentials: { auth_token: AUTH_TOKEN },
    });
    const template = await create('/templates', { name: 'wa', kind: 'whatsapp', body: 'Hi {{ payload.name }}' });
    const rule = await create('/notification-rules', {
      name: 'wa',
      event: 'probe.thing.happened',
      template_id: template.id,
      channel_id: channel.id,
      recipient: { type: 'payload', path: 'payload.phone' },
    });
    twilioServer.received.length = 0;
    twilioServer.answer({
      status: 500,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 20500, message: 'Internal Server Error', status: 500 }),
    });
    await emit({ total: 1, phone: '+15550002222', name: 'Grace' });
    expect(Object.fromEntries(new URLSearchParams(twilioServer.received[0]!.body))).toMatchObject({
      To: 'whatsapp:+15550002222',
      From: 'whatsapp:+15550009999',
    });
    const [failed] = (await api('GET', `/notification-log?rule_id=${rule.id}`)).body.data;
    expect(failed).toMatchObject({ status: 'pending', attempt_count: 1 });
    expect(failed.last_error).toBeTruthy();
    twilioServer.answer(twilioAnswer('SM0002'));
    await t.sql("update plinth_jobs set next_run_at = now() where name = 'integrations.notification.send' and next_run_at > now()");
    await t.drainJobs();
    expect((await api('GET', `/notification-log?rule_id=${rule.id}`)).body.data[0]).toMatchObject({
      status: 'sent',
      attempt_count: 2,
      provider_message_id: 'SM0002',
    });
    await api('PATCH', `/notification-rules/${rule.id}`, { enabled: false });
  });

  it('emails members of a role through the core mailer, escaping merged values in HTML', async () => {
    const channel = await create('/channels', { name: 'mail', kind: 'email', provider: 'mailer' });
    const template = await create('/templates', {
      name: 'mail',
      kind: 'email',
      subject: 'New thing from {{ payload.name }}',
      body: 'Dear {{ recipient.name }}, {{ payload.name }} did a thing in {{ tenant.name }}.',
      html: '<p>{{ payload.name }}</p>',
    });
    const rule = await create('/notification-rules', {
      name: 'mail',
      event: 'probe.thing.happened',
      template_id: template.id,
      channel_id: channel.id,
      recipient: { type: 'role', role: 'member' },
    });
    await emit({ total: 1, name: '<script>x</script>' });
    const [mail] = (await t.mailbox(member.email)).filter((sent) => sent.subject.startsWith('New thing'));
    expect(mail!.subject).toBe('New thing from <script>x</script>');
    expect(mail!.html).toBe('<p>&lt;script&gt;x&lt;/script&gt;</p>');
    expect(mail!.text).toMatch(/^Dear User .*, <script>x<\/script> did a thing in Tenant /);
    expect((await t.mailbox(owner.email)).filter((sent) => sent.subject.startsWith('New thing'))).toEqual([]);
    await api('PATCH', `/notification-rules/${rule.id}`, { enabled: false });
  });

  it('logs through the log provider, and skips a payload without a usable address', async () => {
    const channel = await create('/channels', { name: 'dev-sms', kind: 'sms', provider: 'log' });
    const template = await create('/templates', { name: 'dev', kind: 'sms', body: 'dev {{ payload.total }}' });
    const rule = await create('/notification-rules', {
      name: 'dev',
      event: 'probe.thing.happened',
      template_id: template.id,
      channel_id: channel.id,
      recipient: { type: 'payload', path: 'payload.phone' },
    });
    await emit({ total: 7, phone: '+15550003333' });
    await emit({ total: 8, phone: 'not a phone' });
    const log = (await api('GET', `/notification-log?rule_id=${rule.id}`)).body.data;
    expect(log.map((send: { status: string; body: string }) => [send.status, send.body])).toEqual([
      ['skipped', 'dev 8'],
      ['sent', 'dev 7'],
    ]);
    await api('PATCH', `/notification-rules/${rule.id}`, { enabled: false });
  });

  it("puts in-app notifications in the member's kernel inbox, one per rule, event and member", async () => {
    const template = await create('/templates', {
      name: 'inbox',
      kind: 'in_app',
      subject: 'Thing {{ payload.total }}',
      body: 'It happened to {{ recipient.name }}',
    });
    const rule = await create('/notification-rules', {
      name: 'inbox',
      event: 'probe.thing.happened',
      template_id: template.id,
      recipient: { type: 'member', user_id: member.id },
    });
    await emit({ total: 1 });
    await emit({ total: 2 });
    const inbox = (as: TestUser) => t.request('GET', '/api/v1/notifications', { headers: as.headers });
    const mine = await inbox(member);
    expect(mine.status).toBe(200);
    const name = (await t.sql<{ name: string }>('select name from users where id = $1', [member.id]))[0]!.name;
    expect(
      mine.body.data.map((item: { title: string; body: string; category: string; read_at: string | null }) => [
        item.title,
        item.body,
        item.category,
        item.read_at,
      ]),
    ).toEqual([
      ['Thing 2', `It happened to ${name}`, 'integrations.rules', null],
      ['Thing 1', `It happened to ${name}`, 'integrations.rules', null],
    ]);
    expect((await t.request('GET', '/api/v1/notifications/unread-count', { headers: member.headers })).body.data).toEqual({ unread: 2 });
    // The owner's inbox is their own: the member's notifications are not in it.
    expect((await inbox(owner)).body.data.filter((item: { category: string }) => item.category === 'integrations.rules')).toEqual([]);
    const log = (await api('GET', `/notification-log?rule_id=${rule.id}`)).body.data;
    expect(log.map((send: { status: string; kind: string; recipient: string }) => [send.status, send.kind, send.recipient])).toEqual([
      ['sent', 'in_app', member.id],
      ['sent', 'in_app', member.id],
    ]);
    await api('PATCH', `/notification-rules/${rule.id}`, { enabled: false });
  });

  it('refuses rules that do not add up', async () => {
    const sms = (await api('GET', '/channels?kind=sms')).body.data[0];
    const emailTemplate = (await api('GET', '/templates?kind=email')).body.data[0];
    const smsTemplate = (await api('GET', '/templates?kind=sms')).body.data[0];
    const inApp = (await api('GET', '/templates?kind=in_app')).body.data[0];
    const base = { name: 'r', event: 'probe.*', recipient: { type: 'payload', path: 'payload.phone' } };
    const bad = [
      { ...base, template_id: smsTemplate.id, channel_id: sms.id, condition: 'total > 3' },
      { ...base, template_id: smsTemplate.id, channel_id: sms.id, condition: 'payload.total > "x"' },
      { ...base, template_id: smsTemplate.id, channel_id: sms.id, condition: 'payload.total >= process.exit()' },
      { ...base, template_id: emailTemplate.id, channel_id: sms.id },
      { ...base, template_id: inApp.id },
      { ...base, template_id: '00000000-0000-4000-8000-000000000000', channel_id: sms.id },
      { ...base, template_id: smsTemplate.id, channel_id: '00000000-0000-4000-8000-000000000000' },
      { ...base, template_id: inApp.id, recipient: { type: 'member', user_id: '00000000-0000-4000-8000-000000000000' } },
      { ...base, template_id: smsTemplate.id, channel_id: sms.id, recipient: { type: 'payload', path: 'constructor' } },
      { ...base, event: 'Bad Event', template_id: smsTemplate.id, channel_id: sms.id },
    ];
    for (const body of bad) {
      const response = await api('POST', '/notification-rules', body);
      expect(response.status, JSON.stringify(body)).toBe(422);
    }
    expect((await api('DELETE', `/channels/${sms.id}`)).body.code).toBe('channel_in_use');
    expect((await api('DELETE', `/templates/${smsTemplate.id}`)).body.code).toBe('template_in_use');
  });

  it('never logs provider credentials', () => {
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toContain(AUTH_TOKEN);
  });
});
