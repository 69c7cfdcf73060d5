import { createHmac } from 'node:crypto';
import { auditTrail, createTestKernel, type TestAuditEntry, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntegrationsPlugin } from '../src/plugin.js';
import { probePlugin } from './support/probe-plugin.js';
import { startReceiver, type Receiver } from './support/receiver.js';

const ACCOUNT_SID = `AC${'a'.repeat(32)}`;
let t: TestKernel;
let owner: TestUser;
let receiver: Receiver;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [createIntegrationsPlugin(), probePlugin], env: { PLINTH_HTTP_ALLOW_LOOPBACK: 'true' } });
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

const audit = (action: string) => auditTrail(t, owner, { action });
const about = async (action: string, id: string) => (await audit(action)).entries.filter((entry) => entry.target.id === id);
const actions = (entries: TestAuditEntry[]) => entries.map((entry) => entry.action);

describe('the integrations audit trail', () => {
  it('records webhook endpoints with their secret redacted: created, changed, disabled, enabled, rotated, deleted', async () => {
    const created = await api('POST', '/webhooks', { url: `${receiver.url}/hook`, events: ['probe.*'] });
    expect(created.status).toBe(201);
    const { id, secret } = created.body.data;
    expect((await api('PATCH', `/webhooks/${id}`, { description: 'Orders' })).status).toBe(200);
    expect((await api('PATCH', `/webhooks/${id}`, { enabled: false })).body.data).toMatchObject({ enabled: false, disabled_reason: 'disabled by a member' });
    expect((await api('PATCH', `/webhooks/${id}`, { enabled: true })).status).toBe(200);
    const rotated = await api('POST', `/webhooks/${id}/rotate-secret`, {});
    expect(rotated.status).toBe(200);
    expect((await api('DELETE', `/webhooks/${id}`)).status).toBe(204);

    const entries = await about('integrations.endpoint.', id);
    expect(actions(entries)).toEqual([
      'integrations.endpoint.created',
      'integrations.endpoint.updated',
      'integrations.endpoint.disabled',
      'integrations.endpoint.enabled',
      'integrations.endpoint.secret_rotated',
      'integrations.endpoint.deleted',
    ]);
    expect(entries.every((entry) => entry.actor.user_id === owner.id)).toBe(true);
    expect(entries[0]!.data.changes).toMatchObject({ url: { to: `${receiver.url}/hook` }, secret: { redacted: true } });
    expect(entries[1]!.data.changes).toEqual({ description: { from: '', to: 'Orders' } });
    expect(entries[2]!.data.changes).toMatchObject({ enabled: { from: true, to: false }, disabled_reason: { from: null, to: 'disabled by a member' } });
    expect(entries[4]!.data).toMatchObject({ overlap_seconds: 86_400, changes: { secret: { redacted: true }, secret_rotated_at: { from: null } } });
    const { text } = await audit('integrations.');
    for (const value of [secret, rotated.body.data.secret]) expect(text).not.toContain(value);
  });

  it('records the delivery job disabling an endpoint that answered 410 (no actor); never the deliveries themselves', async () => {
    const { id } = (await api('POST', '/webhooks', { url: `${receiver.url}/gone`, events: ['probe.*'] })).body.data;
    receiver.answer({ status: 410, body: 'gone' });
    expect((await t.request('POST', '/api/v1/probe/emit', { headers: owner.headers, body: { total: 1 } })).status).toBe(200);
    await t.drainEvents();
    await t.drainJobs();
    expect((await api('GET', `/webhooks/${id}`)).body.data.enabled).toBe(false);
    const [disabled] = await about('integrations.endpoint.disabled', id);
    expect(disabled).toMatchObject({ actor: { user_id: null }, data: { reason: 'the receiver answered 410 Gone', by: 'integrations' } });
    expect(disabled!.data.changes).toMatchObject({ enabled: { from: true, to: false } });
    expect((await audit('integrations.delivery.')).total).toBe(0);
  });

  it('records channels with their credentials redacted, templates and rules; a refused deletion records nothing', async () => {
    const token = 'auditAuthTokenNeverLogged';
    const channel = (
      await api('POST', '/channels', {
        name: 'audit-sms',
        kind: 'sms',
        provider: 'twilio',
        config: { account_sid: ACCOUNT_SID, from: '+15550009999' },
        credentials: { auth_token: token },
      })
    ).body.data;
    expect((await api('PATCH', `/channels/${channel.id}`, { name: 'audit-sms-2' })).status).toBe(200);
    expect((await api('PATCH', `/channels/${channel.id}`, { credentials: { auth_token: `${token}2` } })).status).toBe(200);
    const template = (await api('POST', '/templates', { name: 'audit-tpl', kind: 'sms', body: 'Hi {{ payload.name }}' })).body.data;
    expect((await api('PATCH', `/templates/${template.id}`, { body: 'Hello {{ payload.name }}' })).status).toBe(200);
    const rule = (
      await api('POST', '/notification-rules', {
        name: 'audit rule',
        event: 'probe.*',
        template_id: template.id,
        channel_id: channel.id,
        recipient: { type: 'payload', path: 'payload.phone' },
      })
    ).body.data;
    expect((await api('PATCH', `/notification-rules/${rule.id}`, { enabled: false })).status).toBe(200);
    expect((await api('DELETE', `/channels/${channel.id}`)).status).toBe(409);
    expect((await api('DELETE', `/notification-rules/${rule.id}`)).status).toBe(204);
    expect((await api('DELETE', `/channels/${channel.id}`)).status).toBe(204);

    const channelEntries = await about('integrations.channel.', channel.id);
    expect(actions(channelEntries)).toEqual([
      'integrations.channel.created',
      'integrations.channel.updated',
      'integrations.channel.updated',
      'integrations.channel.deleted',
    ]);
    expect(channelEntries[0]!.data.changes).toMatchObject({ provider: { to: 'twilio' }, credentials: { redacted: true } });
    expect(channelEntries[1]!.data.changes).toEqual({ name: { from: 'audit-sms', to: 'audit-sms-2' } });
    expect(channelEntries[2]!.data.changes).toEqual({ credentials: { redacted: true } });
    expect((await audit('integrations.')).text).not.toContain(token);

    expect(actions(await about('integrations.template.', template.id))).toEqual(['integrations.template.created', 'integrations.template.updated']);
    const ruleEntries = await about('integrations.rule.', rule.id);
    expect(actions(ruleEntries)).toEqual(['integrations.rule.created', 'integrations.rule.updated', 'integrations.rule.deleted']);
    expect(ruleEntries[1]!.data.changes).toEqual({ enabled: { from: true, to: false } });
  });

  it('records inbound sources (secret redacted), not the messages they receive', async () => {
    const created = (await api('POST', '/inbound-sources', { name: 'audit-in' })).body.data;
    expect((await api('PATCH', `/inbound-sources/${created.id}`, { name: 'audit-in-2' })).status).toBe(200);
    const rotated = (await api('POST', `/inbound-sources/${created.id}/rotate-secret`)).body.data;
    const before = (await audit('integrations.')).total;
    const raw = JSON.stringify({ hello: 'world' });
    const received = await fetch(`${t.url}${created.url}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-plinth-signature': `sha256=${createHmac('sha256', rotated.secret).update(raw).digest('hex')}` },
      body: raw,
    });
    expect(received.status).toBe(202);
    expect((await audit('integrations.')).total).toBe(before);
    expect((await api('DELETE', `/inbound-sources/${created.id}`)).status).toBe(204);

    const entries = await about('integrations.inbound_source.', created.id);
    expect(actions(entries)).toEqual([
      'integrations.inbound_source.created',
      'integrations.inbound_source.updated',
      'integrations.inbound_source.secret_rotated',
      'integrations.inbound_source.deleted',
    ]);
    expect(entries[2]!.data.changes).toEqual({ secret: { redacted: true } });
    const { text } = await audit('integrations.');
    for (const value of [created.secret, rotated.secret]) expect(text).not.toContain(value);
  });

  it('records WooCommerce connections with the store credentials and webhook secret redacted', async () => {
    const created = await api('POST', '/woocommerce/connections', {
      name: 'Audit store',
      store_url: receiver.url,
      consumer_key: 'ck_auditKey12345678',
      consumer_secret: 'cs_auditSecret12345678',
      currency: 'EUR',
    });
    expect(created.status).toBe(201);
    const { id, webhook_secret } = created.body.data;
    expect((await api('PATCH', `/woocommerce/connections/${id}`, { consumer_secret: 'cs_auditSecret87654321' })).status).toBe(200);
    expect((await api('DELETE', `/woocommerce/connections/${id}`)).status).toBe(204);

    const entries = await about('integrations.woo_connection.', id);
    expect(actions(entries)).toEqual(['integrations.woo_connection.created', 'integrations.woo_connection.updated', 'integrations.woo_connection.deleted']);
    expect(entries[0]!.data.changes).toMatchObject({
      name: { to: 'Audit store' },
      consumer_key: { redacted: true },
      consumer_secret: { redacted: true },
      webhook_secret: { redacted: true },
    });
    expect(entries[1]!.data.changes).toEqual({ consumer_secret: { redacted: true } });
    const { text } = await audit('integrations.');
    for (const value of ['ck_auditKey', 'cs_auditSecret', webhook_secret]) expect(text).not.toContain(value);
  });
});
