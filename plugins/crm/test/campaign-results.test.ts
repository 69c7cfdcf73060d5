import { addMember, reportFile, runReport, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmCall, crmKernel, eventually } from './helpers.js';

// Issue 24: the `crm.campaign-results` report, run by the kernel's reports service (a job writing CSV to a file).
let t: TestKernel;
let owner: TestUser;
let other: TestUser;
let call: ReturnType<typeof crmCall>;
const campaigns: Record<'spring' | 'autumn', string> = { spring: '', autumn: '' };

const template = {
  subject: 'News',
  html: '<p>Hi {{ contact.name }}</p><a href="https://example.com/offer">Offer</a> <a href="{{unsubscribe_url}}">Stop</a>',
  text: 'Hi {{contact.name}}, see https://example.com/offer — unsubscribe: {{unsubscribe_url}}',
};

/** A campaign to the contacts tagged `tag`, sent (the send job run to its end). */
async function sentCampaign(name: string, tag: string): Promise<string> {
  const segment = await call('POST', '/segments', { name, filter: { tag: [tag] } });
  const created = await call('POST', '/templates', { ...template, name });
  const campaign = await call('POST', '/campaigns', { name, template_id: created.body.data.id, segment_id: segment.body.data.id });
  expect((await call('POST', `/campaigns/${campaign.body.data.id}/send`)).status).toBe(202);
  await eventually(async () => ((await call('GET', `/campaigns/${campaign.body.data.id}`)).body.data.status === 'sent' ? true : undefined), 60_000);
  return campaign.body.data.id as string;
}

/** Opens a tracking link of `email`'s mail, as the reader's mail client or browser does. */
async function track(email: string, kind: 'o' | 'c' | 'u'): Promise<void> {
  const [recipient] = await t.sql<{ token: string }>('select token from crm_campaign_recipients where email = $1', [email]);
  const path = `${t.url}/api/v1/crm/t/${owner.tenant!.slug}/${kind}/${recipient!.token}${kind === 'c' ? '/0' : ''}`;
  const response = await fetch(path, { method: kind === 'u' ? 'POST' : 'GET', redirect: 'manual' });
  expect(response.status, path).toBeLessThan(400);
}

/** Runs the report as `user` to the end and answers the file. */
async function fileOf(user: TestUser, params: Record<string, unknown>, format: 'csv' | 'xlsx' | 'pdf'): Promise<Buffer> {
  const run = await runReport(t, user, 'crm.campaign-results', params, format);
  expect(run).toMatchObject({ status: 'done', error: null });
  return reportFile(t, user, run.id);
}

/** The report as CSV, without its byte-order mark. */
const csvOf = async (user: TestUser, params: Record<string, unknown>) => (await fileOf(user, params, 'csv')).toString('utf8').replace(/^\uFEFF/, '');

const HEADER = 'Campaign,Email,Name,Status,Error,Sent at,Opened at,Clicked at,Unsubscribed at';

/** A recipient's row as the CSV writes it, from what the database recorded (times in UTC, the tenant's zone). */
async function expectedRow(email: string, name: string, status: string): Promise<string> {
  const [row] = await t.sql<{ campaign: string; sent_at: Date | null; opened_at: Date | null; clicked_at: Date | null; unsubscribed_at: Date | null }>(
    `select k.name as campaign, r.sent_at, r.opened_at, r.clicked_at, r.unsubscribed_at
       from crm_campaign_recipients r join crm_campaigns k on k.id = r.campaign_id where r.email = $1`,
    [email],
  );
  const time = (value: Date | null) => (value ? value.toISOString().slice(0, 19).replace('T', ' ') : '');
  expect(row!.sent_at).not.toBeNull();
  return [row!.campaign, email, name, status, '', time(row!.sent_at), time(row!.opened_at), time(row!.clicked_at), time(row!.unsubscribed_at)].join(',');
}

beforeAll(async () => {
  ({ t, owner } = await crmKernel());
  call = crmCall(t, owner);
  for (const [email, name, tag] of [
    ['ann@example.com', 'Ann Lee', 'spring'],
    ['bob@example.com', 'Roy, Bob', 'spring'],
    ['cyd@example.com', 'Cyd', 'spring'],
    ['dee@example.com', 'Dee', 'autumn'],
  ]) {
    expect((await call('POST', '/contacts', { email, name, tags: [tag] })).status).toBe(201);
  }
  campaigns.autumn = await sentCampaign('Autumn', 'autumn');
  // The autumn campaign went out on the evening of 31 January in UTC, already 1 February in Tokyo (its start moved
  // back: the report filters campaigns by the day they started, in the tenant's time zone).
  await t.sql("update crm_campaigns set started_at = '2026-01-31T20:00:00Z' where id = $1", [campaigns.autumn]);
  campaigns.spring = await sentCampaign('Spring', 'spring');
  await track('ann@example.com', 'o');
  await track('bob@example.com', 'c');
  await track('cyd@example.com', 'u');
  other = await signUp(t, { tenant: true });
  await t.enable(other, 'crm');
}, 120_000);
afterAll(() => t?.close());

describe('crm.campaign-results', () => {
  it('is one row per recipient of a campaign: delivery, open, click and unsubscribe, as recorded', async () => {
    const csv = await csvOf(owner, { campaign_id: campaigns.spring });
    expect(csv).toBe(
      [
        HEADER,
        await expectedRow('ann@example.com', 'Ann Lee', 'sent'),
        await expectedRow('bob@example.com', '"Roy, Bob"', 'sent'),
        await expectedRow('cyd@example.com', 'Cyd', 'unsubscribed'),
        '',
      ].join('\r\n'),
    );
    // What the tracking recorded shows: an open, a click (which is an open too) and an unsubscribe.
    const lines = csv.split('\r\n');
    expect(lines[1]!.split(',')[6]).not.toBe('');
    expect(lines[3]!.split(',')[8]).not.toBe('');
  });

  it('covers every campaign started between two days, or all of them', async () => {
    expect(await csvOf(owner, { from: '2026-01-01', to: '2026-01-31' })).toBe([HEADER, await expectedRow('dee@example.com', 'Dee', 'sent'), ''].join('\r\n'));
    const all = (await csvOf(owner, {})).split('\r\n');
    expect(all.map((line) => line.split(',')[1])).toEqual(['Email', 'dee@example.com', 'ann@example.com', 'bob@example.com', 'cyd@example.com', undefined]);
  });

  it("counts the days in the tenant's time zone", async () => {
    const zone = (time_zone: string) => t.request('PATCH', '/api/v1/tenant', { headers: owner.headers, body: { time_zone } });
    expect((await zone('Asia/Tokyo')).status).toBe(200);
    try {
      expect(await csvOf(owner, { from: '2026-01-01', to: '2026-01-31' })).toBe(`${HEADER}\r\n`);
      const february = (await csvOf(owner, { from: '2026-02-01', to: '2026-02-28' })).split('\r\n');
      expect(february.map((line) => line.split(',')[1])).toEqual(['Email', 'dee@example.com', undefined]);
    } finally {
      expect((await zone('UTC')).status).toBe(200);
    }
  });

  it('is written as XLSX and PDF too', async () => {
    expect((await fileOf(owner, { campaign_id: campaigns.spring }, 'xlsx')).subarray(0, 2).toString('latin1')).toBe('PK');
    expect((await fileOf(owner, { campaign_id: campaigns.spring }, 'pdf')).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('is listed in the catalogue and refused without the campaigns view permission (403)', async () => {
    const catalogue = await t.request('GET', '/api/v1/reports/catalog', { headers: owner.headers });
    expect(catalogue.body.data.map((report: { name: string }) => report.name)).toContain('crm.campaign-results');
    const member = await addMember(t, owner, ['member']);
    const refused = await t.request('POST', '/api/v1/reports', {
      headers: member.headers,
      body: { report: 'crm.campaign-results', params: { campaign_id: campaigns.spring }, format: 'csv' },
    });
    expect(refused.status).toBe(403);
    const listed = await t.request('GET', '/api/v1/reports/catalog', { headers: member.headers });
    expect(listed.body.data.map((report: { name: string }) => report.name)).not.toContain('crm.campaign-results');
  });

  it('refuses parameters outside its schema', async () => {
    for (const params of [{ campaign_id: 'not-a-uuid' }, { from: '15/01/2026' }, { extra: true }]) {
      const response = await t.request('POST', '/api/v1/reports', { headers: owner.headers, body: { report: 'crm.campaign-results', params, format: 'csv' } });
      expect([400, 422], JSON.stringify(params)).toContain(response.status);
    }
  });

  it("shows another tenant nothing of this tenant's campaigns, even by id", async () => {
    expect(await csvOf(other, { campaign_id: campaigns.spring })).toBe(`${HEADER}\r\n`);
    expect(await csvOf(other, {})).toBe(`${HEADER}\r\n`);
  });
});
