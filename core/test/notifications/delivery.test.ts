import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { bellPlugin, gateway, gatewayPlugin } from './fixtures/bell-plugin.js';

let clockOffsetMs = 0;
let t: TestKernel;
let owner: TestUser;
let member: TestUser;
let other: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [bellPlugin, gatewayPlugin], services: { clock: () => ({ now: () => new Date(Date.now() + clockOffsetMs) }) } });
  owner = await signUp(t, { tenant: true });
  other = await signUp(t, { tenant: true });
  await t.enable(owner, 'bell');
  await t.enable(other, 'bell');
  member = await addMember(t, owner, ['member']);
}, 60_000);
afterAll(() => t.close());

const ring = (user: TestUser, body: Record<string, unknown>) => t.request('POST', '/api/v1/bell/ring', { headers: user.headers, body });
const news = (to: TestUser, name = 'x') =>
  ring(owner, { to: { userId: to.id }, template: 'bell.rang', data: { name, count: 1, place: 'here' }, link: '/bells/9' });
const titles = async (user: TestUser) =>
  (await t.request('GET', '/api/v1/notifications', { headers: user.headers })).body.data.map((item: { title: string }) => item.title);
const deliveries = (notificationId: string) =>
  t.sql<{ channel: string; status: string; last_error: string | null; address: string | null; provider_message_id: string | null; attempts: number }>(
    'select channel, status, last_error, address, provider_message_id, attempts from notification_deliveries where notification_id = $1 order by channel',
    [notificationId],
  );
/** Mail to the person, apart from the invitation that made them a member. */
const mails = async (user: TestUser) => (await t.mailbox(user.email)).filter((mail) => !mail.subject.startsWith('You are invited'));
const prefs = (user: TestUser, categories: unknown[]) =>
  t.request('PUT', '/api/v1/me/notification-preferences', { headers: user.headers, body: { categories } });

/** Polls `check` until it returns true or the deadline passes. */
async function until(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Runs the digest job now, at the time `at` on the host's clock. */
async function runDigest(at: Date): Promise<void> {
  clockOffsetMs = at.getTime() - Date.now();
  try {
    await t.kernel.services.jobs.enqueue('core.notifications.digest', {});
    await t.drainJobs();
  } finally {
    clockOffsetMs = 0;
  }
}

describe('email', () => {
  it('is sent once with its link and a working one-click unsubscribe; GET does not unsubscribe', async () => {
    const sent = await news(member, 'mail-1');
    expect(sent.body.data.recipients).toBe(1);
    await t.drainJobs();
    const [mail, ...more] = await mails(member);
    expect(more).toEqual([]);
    expect(mail!.subject).toBe('The bell rang for mail-1');
    expect(mail!.text).toContain('1 ring at here.');
    expect(mail!.text).toContain(`${t.url}/t/${owner.tenant!.slug}/p/bell/bells/9`);
    expect(mail!.headers['List-Unsubscribe-Post'] ?? mail!.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    const header = mail!.headers['List-Unsubscribe'] ?? mail!.headers['list-unsubscribe'];
    const url = /^<(.+)>$/.exec(header!)![1]!;
    expect(url.startsWith(`${t.url}/api/v1/notifications/unsubscribe/`)).toBe(true);
    expect(await deliveries(sent.body.data.notification_id)).toEqual([
      { channel: 'email', status: 'sent', last_error: null, address: member.email, provider_message_id: null, attempts: 1 },
    ]);

    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Unsubscribe');
    await news(member, 'mail-2');
    await t.drainJobs();
    expect((await mails(member)).map((m) => m.subject)).toEqual(['The bell rang for mail-1', 'The bell rang for mail-2']);

    const oneClick = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(oneClick.status).toBe(200);
    const third = await news(member, 'mail-3');
    await t.drainJobs();
    expect((await mails(member)).length).toBe(2);
    expect(await deliveries(third.body.data.notification_id)).toEqual([]);
    expect((await titles(member))[0]).toBe('The bell rang for mail-3');

    const forged = await fetch(`${url.slice(0, -3)}abc`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(forged.status).toBe(404);
  });

  it('of a required category carries no unsubscribe, and its email cannot be turned off', async () => {
    await ring(owner, { to: { userId: owner.id }, template: 'bell.alarm' });
    await t.drainJobs();
    const [mail] = (await mails(owner)).filter((m) => m.subject === 'Alarm');
    expect(mail).toBeDefined();
    expect(Object.keys(mail!.headers).map((name) => name.toLowerCase())).not.toContain('list-unsubscribe');
    const refused = await prefs(owner, [{ category: 'bell.alarms', channels: { email: false } }]);
    expect(refused.status).toBe(422);
    const shown = await t.request('GET', '/api/v1/me/notification-preferences', { headers: owner.headers });
    expect(shown.body.data.categories.find((c: { category: string }) => c.category === 'bell.alarms')).toMatchObject({
      required: true,
      channels: { inapp: { enabled: true, locked: true }, email: { enabled: true, locked: true }, sms: { enabled: false, locked: false } },
    });
  });
});

describe('preferences', () => {
  it("follow the person's choice over the tenant's default over the category's", async () => {
    const extra = await addMember(t, owner, ['member']);
    const settings = await t.request('PUT', '/api/v1/notification-settings', {
      headers: owner.headers,
      body: { categories: [{ category: 'bell.news', channels: { inapp: false, email: false } }] },
    });
    expect(settings.status).toBe(200);
    expect(settings.body.data.categories.find((c: { category: string }) => c.category === 'bell.news').channels.inapp).toEqual({
      enabled: false,
      locked: false,
    });
    expect((await prefs(extra, [{ category: 'bell.news', channels: { inapp: true } }])).status).toBe(200);
    const before = (await titles(owner)).length;
    await ring(owner, { to: [{ userId: extra.id }, { userId: owner.id }], template: 'bell.rang', data: { name: 'defaults', count: 1, place: 'p' } });
    await t.drainJobs();
    expect((await titles(extra))[0]).toBe('The bell rang for defaults');
    expect((await titles(owner)).length).toBe(before);
    expect((await mails(extra)).filter((m) => m.subject.includes('defaults'))).toEqual([]);
    // Members may not change the tenant's defaults, nor read its log.
    expect((await t.request('GET', '/api/v1/notification-settings', { headers: extra.headers })).status).toBe(403);
    expect((await t.request('GET', '/api/v1/notification-log', { headers: extra.headers })).status).toBe(403);
    await t.request('PUT', '/api/v1/notification-settings', {
      headers: owner.headers,
      body: { categories: [{ category: 'bell.news', channels: { inapp: true, email: true } }] },
    });
  });

  it('refuse categories not offered here', async () => {
    const response = await prefs(member, [{ category: 'crm.campaigns', channels: { email: false } }]);
    expect(response.status).toBe(422);
    expect(response.body.errors).toHaveProperty(['categories.0.category']);
  });

  it("are the tenant's own: another tenant's defaults and log show nothing of this one", async () => {
    const log = await t.request('GET', '/api/v1/notification-log?per_page=100', { headers: other.headers });
    expect(log.status).toBe(200);
    expect(log.body.data).toEqual([]);
    const ours = await t.request('GET', '/api/v1/notification-log?per_page=100', { headers: owner.headers });
    expect(ours.body.data.length).toBeGreaterThan(2);
    const otherSettings = await t.request('GET', '/api/v1/notification-settings', { headers: other.headers });
    expect(otherSettings.body.data.categories.find((c: { category: string }) => c.category === 'bell.news').channels.inapp.enabled).toBe(true);
  });
});

describe('SMS and WhatsApp', () => {
  it('refuse a phone number that is not E.164, and a tenant without an SMS channel', async () => {
    for (const phone of ['01001234567', '+0123456789', '+20 100 123 4567']) {
      expect((await t.request('PUT', '/api/v1/me/phone', { headers: other.headers, body: { phone } })).status).toBe(422);
    }
    expect((await t.request('PUT', '/api/v1/me/phone', { headers: other.headers, body: { phone: '+201001234567' } })).status).toBe(409);
    expect((await t.request('GET', '/api/v1/me/notification-preferences', { headers: other.headers })).body.data.phone).toEqual({
      number: null,
      verified: false,
    });
  });

  it('go to a verified phone only, through the tapping plugin', async () => {
    await t.enable(owner, 'gateway');
    gateway.mode = 'send';
    const unverified = await ring(owner, { to: { userId: member.id }, template: 'bell.text', data: { n: 1 } });
    await t.drainJobs();
    expect((await deliveries(unverified.body.data.notification_id)).map((d) => [d.channel, d.status, d.last_error])).toEqual([
      ['sms', 'skipped', 'no verified phone number'],
      ['whatsapp', 'skipped', 'no verified phone number'],
    ]);

    const asked = await t.request('PUT', '/api/v1/me/phone', { headers: member.headers, body: { phone: '+201001234567' } });
    expect(asked.status).toBe(202);
    const codeMessage = gateway.sent.at(-1)!;
    expect(codeMessage).toMatchObject({ channel: 'sms', to: '+201001234567' });
    const code = /\b(\d{6})\b/.exec(codeMessage.text)![1]!;
    const shown = await t.request('GET', '/api/v1/me/notification-preferences', { headers: member.headers });
    expect(shown.body.data.phone).toEqual({ number: '+201001234567', verified: false });
    const wrong = code === '000000' ? '111111' : '000000';
    expect((await t.request('POST', '/api/v1/me/phone/verify', { headers: member.headers, body: { code: wrong } })).status).toBe(422);
    const verified = await t.request('POST', '/api/v1/me/phone/verify', { headers: member.headers, body: { code } });
    expect(verified.status).toBe(200);
    expect(verified.body.data).toEqual({ number: '+201001234567', verified: true });
    expect((await t.request('POST', '/api/v1/me/phone/verify', { headers: member.headers, body: { code } })).status).toBe(422);

    const sent = await ring(owner, { to: { userId: member.id }, template: 'bell.text', data: { n: 2 }, link: '/texts/2' });
    await t.drainJobs();
    const rows = await deliveries(sent.body.data.notification_id);
    expect(rows.map((d) => [d.channel, d.status, d.address])).toEqual([
      ['sms', 'sent', '+201001234567'],
      ['whatsapp', 'sent', '+201001234567'],
    ]);
    expect(rows.every((d) => d.provider_message_id?.startsWith('gw-'))).toBe(true);
    const texts = gateway.sent.filter((message) => message.text.startsWith('Short 2'));
    expect(texts.map((message) => message.channel).sort()).toEqual(['sms', 'whatsapp']);
    expect(texts[0]!.text).toContain(`/t/${owner.tenant!.slug}/p/bell/texts/2`);
  });

  it('take five tries at a code at most', async () => {
    const careless = await addMember(t, owner, ['member']);
    expect((await t.request('PUT', '/api/v1/me/phone', { headers: careless.headers, body: { phone: '+4915112345678' } })).status).toBe(202);
    const code = /\b(\d{6})\b/.exec(gateway.sent.at(-1)!.text)![1]!;
    const wrong = code === '000000' ? '111111' : '000000';
    for (let attempt = 0; attempt < 5; attempt++)
      expect((await t.request('POST', '/api/v1/me/phone/verify', { headers: careless.headers, body: { code: wrong } })).status).toBe(422);
    const late = await t.request('POST', '/api/v1/me/phone/verify', { headers: careless.headers, body: { code } });
    expect(late.status).toBe(422);
    expect(late.body.errors.code[0]).toContain('ask for a new one');
    const [user] = await t.sql<{ phone_verified_at: Date | null }>('select phone_verified_at from users where id = $1', [careless.id]);
    expect(user!.phone_verified_at).toBeNull();
    const [stored] = await t.sql<{ code_hash: string }>('select code_hash from phone_verifications where user_id = $1', [careless.id]);
    expect(stored!.code_hash).not.toContain(code);
  });

  it('are skipped when no tap answers, and retried then failed when the tap throws', async () => {
    gateway.mode = 'decline';
    const declined = await ring(owner, { to: { userId: member.id }, template: 'bell.text', data: { n: 3 } });
    await t.drainJobs();
    expect((await deliveries(declined.body.data.notification_id)).map((d) => d.last_error)).toEqual(['no SMS channel', 'no WhatsApp channel']);
    gateway.mode = 'fail';
    const failing = await ring(owner, { to: { userId: member.id }, template: 'bell.text', data: { n: 4 } });
    await until(async () => (await deliveries(failing.body.data.notification_id)).every((d) => d.status === 'failed'), 30_000);
    expect((await deliveries(failing.body.data.notification_id)).map((d) => [d.status, d.attempts, d.last_error])).toEqual([
      ['failed', 4, expect.stringContaining('gateway down')],
      ['failed', 4, expect.stringContaining('gateway down')],
    ]);
    const log = await t.request('GET', '/api/v1/notification-log?per_page=1', { headers: owner.headers });
    expect(log.body.data[0]).toMatchObject({
      template: 'bell.text',
      deliveries: { failed: 2 },
      problems: [expect.objectContaining({ status: 'failed' }), expect.anything()],
    });
    gateway.mode = 'send';
  }, 60_000);
});

describe('a delivery whose job was lost', () => {
  it('is queued again by the sweep a minute later', async () => {
    const sent = await news(member, 'lost-job');
    await t.drainJobs();
    const [row] = await t.sql<{ id: string }>(
      `insert into notification_deliveries (tenant_id, notification_id, user_id, category, channel, address, subject, body, created_at)
       values ($1, $2, $3, 'bell.news', 'email', $4, 'Lost and found', 'A delivery whose job never ran', now() - interval '2 minutes') returning id`,
      [owner.tenant!.id, sent.body.data.notification_id, member.id, member.email],
    );
    await t.kernel.services.jobs.enqueue('core.notifications.sweep', {});
    await until(async () => (await t.sql<{ status: string }>('select status from notification_deliveries where id = $1', [row!.id]))[0]!.status === 'sent');
    await t.drainJobs();
    expect((await mails(member)).filter((mail) => mail.subject === 'Lost and found').length).toBe(1);
  });
});

describe('digests', () => {
  it('send three hourly notifications as one mail', async () => {
    const busy = await addMember(t, owner, ['member']);
    for (const n of [1, 2, 3]) await ring(owner, { to: { userId: busy.id }, template: 'bell.summary', data: { n } });
    await t.drainJobs();
    expect(await mails(busy)).toEqual([]);
    await runDigest(new Date());
    const sent = await mails(busy);
    expect(sent.map((m) => m.subject)).toEqual([`3 new notifications from ${owner.tenant!.name}`]);
    expect(sent[0]!.text).toMatch(/Summary 1[\s\S]*Summary 2[\s\S]*Summary 3/);
    expect(sent[0]!.headers['List-Unsubscribe'] ?? sent[0]!.headers['list-unsubscribe']).toBeDefined();
    await runDigest(new Date());
    expect((await mails(busy)).length).toBe(1);
  });

  it("send daily ones at 08:00 in the tenant's time zone", async () => {
    const daily = await addMember(t, owner, ['member']);
    expect((await prefs(daily, [{ category: 'bell.news', digest: 'daily' }])).status).toBe(200);
    await news(daily, 'day-1');
    await news(daily, 'day-2');
    await t.drainJobs();
    const day = new Date();
    day.setUTCDate(day.getUTCDate() + 1);
    await runDigest(new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 9, 30)));
    expect(await mails(daily)).toEqual([]);
    await runDigest(new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 8, 5)));
    expect((await mails(daily)).map((m) => m.subject)).toEqual([`2 new notifications from ${owner.tenant!.name}`]);
  });
});
