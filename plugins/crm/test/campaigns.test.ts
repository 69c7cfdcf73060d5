import type { TestKernel, TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmCall, crmKernel, customFields, eventually } from './helpers.js';

let t: TestKernel;
let owner: TestUser;
let call: ReturnType<typeof crmCall>;
beforeAll(async () => {
  ({ t, owner } = await crmKernel());
  call = crmCall(t, owner);
});
afterAll(() => t?.close());

const templateBody = {
  name: 'Newsletter',
  subject: 'News for {{contact.first_name}}',
  html: '<p>Hi {{ contact.name }} ({{contact.custom.plan}})</p><a href="https://example.com/offer?a=1&amp;b=2">Offer</a> <a href="{{unsubscribe_url}}">Stop</a>',
  text: 'Hi {{contact.name}}, see https://example.com/offer — unsubscribe: {{unsubscribe_url}}',
};

async function importContacts(count: number, tag: string): Promise<void> {
  const lines = ['email,name,tags,custom.plan'];
  for (let i = 0; i < count; i++) lines.push(`${tag}${i}@example.net,Reader ${i},${tag},pro`);
  lines.push(`${tag}-evil@example.net,"<script>alert(1)</script> Eve",${tag},free`);
  const started = await call('POST', '/contacts/import', lines.join('\n'), { 'content-type': 'text/csv' });
  expect(started.status).toBe(202);
  await eventually(async () => ((await call('GET', `/imports/${started.body.data.id}`)).body.data.status === 'completed' ? true : undefined));
}

async function campaignTo(tag: string, name: string): Promise<string> {
  const segment = await call('POST', '/segments', { name: `${name} segment`, filter: { tag: [tag] } });
  const template = await call('POST', '/templates', { ...templateBody, name });
  const campaign = await call('POST', '/campaigns', { name, template_id: template.body.data.id, segment_id: segment.body.data.id });
  expect(campaign.status).toBe(201);
  expect(campaign.body.data).toMatchObject({ status: 'draft', stats: { recipients: 0 } });
  return campaign.body.data.id as string;
}

const sentCampaign = (id: string) =>
  eventually(async () => {
    const campaign = (await call('GET', `/campaigns/${id}`)).body.data;
    return campaign.status === 'sent' ? campaign : undefined;
  }, 90_000);

const linksOf = (html: string) => [...html.matchAll(/(?:href|src)="([^"]+)"/g)].map((match) => match[1]!.replace(/&amp;/g, '&'));

describe('templates', () => {
  it('refuse unknown or malformed merge fields when saved', async () => {
    const cases = [
      [{ subject: 'Hi {{contact.password}}' }, 'subject'],
      [{ html: '<p>{{ constructor.constructor }}</p>' }, 'html'],
      [{ text: '{{ 7*7 }}' }, 'text'],
      [{ html: '{{contact.custom.colour}}' }, 'html'],
    ] as const;
    for (const [change, field] of cases) {
      const response = await call('POST', '/templates', { ...templateBody, ...change });
      expect(response.status, JSON.stringify(change)).toBe(422);
      expect(response.body.errors[field]).toBeDefined();
    }
    expect((await call('POST', '/templates', { ...templateBody, subject: 'a\r\nBcc: x@example.com' })).status).toBe(422);
    expect((await call('POST', '/templates', { name: 'x' })).status).toBe(422);
  });

  it('render merge fields with HTML escaping in a preview', async () => {
    const template = await call('POST', '/templates', templateBody);
    expect(template.status).toBe(201);
    const contact = await call('POST', '/contacts', { email: 'preview@example.com', name: '<img src=x onerror=alert(1)> Bob', custom_fields: { plan: 'pro' } });
    const preview = await call('POST', `/templates/${template.body.data.id}/preview`, { contact_id: contact.body.data.id });
    expect(preview.body.data.html).toContain('Hi &lt;img src=x onerror=alert(1)&gt; Bob (pro)');
    expect(preview.body.data.subject).toBe('News for <img');
    expect(preview.body.data.text).toContain('Hi <img src=x onerror=alert(1)> Bob,');
    const edited = await call('PATCH', `/templates/${template.body.data.id}`, { subject: 'Hello {{tenant.name}}' });
    expect(edited.body.data.subject).toBe('Hello {{tenant.name}}');
    expect((await call('PATCH', `/templates/${template.body.data.id}`, { text: '{{nope}}' })).status).toBe(422);
    expect((await call('GET', '/templates')).body.meta.pagination.total).toBe(1);
    expect((await call('DELETE', `/templates/${template.body.data.id}`)).status).toBe(204);
    expect((await call('GET', `/templates/${template.body.data.id}`)).status).toBe(404);
  });
});

describe('campaigns', () => {
  it('refuse drafts pointing at nothing, and sending to an empty segment', async () => {
    const template = await call('POST', '/templates', { ...templateBody, name: 'empty' });
    const segment = await call('POST', '/segments', { name: 'nobody', filter: { tag: ['nobody'] } });
    const missing = await call('POST', '/campaigns', { name: 'x', template_id: segment.body.data.id, segment_id: template.body.data.id });
    expect(missing.status).toBe(422);
    expect(Object.keys(missing.body.errors).sort()).toEqual(['segment_id', 'template_id']);
    const campaign = await call('POST', '/campaigns', { name: 'empty', template_id: template.body.data.id, segment_id: segment.body.data.id });
    const send = await call('POST', `/campaigns/${campaign.body.data.id}/send`);
    expect(send.status).toBe(422);
    expect(send.body.errors.segment_id).toEqual(['matches no contact that can be mailed']);
    expect((await call('PATCH', `/campaigns/${campaign.body.data.id}`, { name: 'renamed' })).body.data.name).toBe('renamed');
    expect((await call('DELETE', `/segments/${segment.body.data.id}`)).status).toBe(409);
    expect((await call('DELETE', `/campaigns/${campaign.body.data.id}`)).status).toBe(204);
    expect((await call('POST', '/campaigns/00000000-0000-4000-8000-000000000000/send')).status).toBe(404);
  });

  it('mail 1,000 contacts exactly once each, though the mailer fails midway and the job runs twice', async () => {
    await t.request('PUT', '/api/v1/plugins/crm/settings', { headers: owner.headers, body: { customFields, campaignBatchSize: 100 } });
    await importContacts(999, 'news');
    const id = await campaignTo('news', 'Big send');

    const mailer = t.kernel.services.mailer;
    const send = mailer.send.bind(mailer);
    let calls = 0;
    mailer.send = async (message) => {
      if (++calls === 350) throw new Error('SMTP connection lost');
      return send(message);
    };
    try {
      const started = await call('POST', `/campaigns/${id}/send`);
      expect(started.status).toBe(202);
      expect(started.body.data).toMatchObject({ status: 'sending', stats: { recipients: 1000, queued: 1000 } });
      expect((await call('POST', `/campaigns/${id}/send`)).status).toBe(409);
      // A restarted worker runs the job again while the first run is mid-way: batches are never claimed twice.
      const { jobs } = t.kernel.services;
      for (let run = 0; run < 2; run++) await jobs.enqueue('crm.campaign.send', { tenantId: owner.tenant!.id, payload: { campaignId: id } });
      expect((await call('PATCH', `/campaigns/${id}`, { name: 'late' })).status).toBe(409);
      const done = await sentCampaign(id);
      expect(done.stats).toMatchObject({ recipients: 1000, queued: 0, sent: 1000, failed: 0 });
    } finally {
      mailer.send = send;
    }
    expect(calls).toBe(1001);
    const mails = (await t.mailbox()).filter((mail) => mail.to.endsWith('@example.net'));
    const perRecipient = new Map<string, number>();
    for (const mail of mails) perRecipient.set(mail.to, (perRecipient.get(mail.to) ?? 0) + 1);
    expect(perRecipient.size).toBe(1000);
    expect([...perRecipient.values()].every((count) => count === 1)).toBe(true);

    const evil = (await t.mailbox('news-evil@example.net'))[0]!;
    expect(evil.html).toContain('Hi &lt;script&gt;alert(1)&lt;/script&gt; Eve (free)');
    expect(evil.html).not.toContain('<script>');
    expect(evil.text).toContain('unsubscribe: http');
    const event = await t.sql<{ payload: Record<string, unknown> }>("select payload from plinth_events where name = 'crm.campaign.sent'");
    expect(event.map((row) => row.payload)).toEqual([{ campaignId: id, name: 'Big send', recipients: 1000, sent: 1000, failed: 0 }]);
    const recipients = await call('GET', `/campaigns/${id}/recipients?status=sent&per_page=5`);
    expect(recipients.body.meta.pagination.total).toBe(1000);
  }, 120_000);

  it('track opens and clicks, redirect only to the campaign’s links, and honour unsubscribes forever', async () => {
    const [campaign] = (await call('GET', '/campaigns')).body.data as { id: string }[];
    const mail = (await t.mailbox('news7@example.net'))[0]!;
    const links = linksOf(mail.html!);
    const offer = links.find((link) => link.includes('/c/'))!;
    const pixel = links.find((link) => link.includes('/o/'))!;
    const unsubscribe = links.find((link) => link.includes('/u/'))!;
    expect(links).not.toContain('https://example.com/offer?a=1&b=2');
    // Mail clients' one-click unsubscribe (RFC 8058) posts to the same URL.
    expect(mail.headers).toEqual({ 'List-Unsubscribe': `<${unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' });

    const opened = await fetch(pixel);
    expect(opened.status).toBe(200);
    expect(opened.headers.get('content-type')).toBe('image/gif');
    const clicked = await fetch(offer, { redirect: 'manual' });
    expect(clicked.status).toBe(302);
    expect(clicked.headers.get('location')).toBe('https://example.com/offer?a=1&b=2');
    expect((await fetch(offer.replace(/\/0$/, '/1'), { redirect: 'manual' })).status).toBe(404);
    expect((await fetch(`${offer}?url=https://evil.example`, { redirect: 'manual' })).headers.get('location')).toBe('https://example.com/offer?a=1&b=2');
    expect((await fetch(pixel.replace(/o\/[0-9a-f]{64}/, `o/${'0'.repeat(64)}`))).status).toBe(404);
    expect((await fetch(pixel.replace(/o\/[0-9a-f]{64}/, 'o/short'))).status).toBe(422);

    const page = await fetch(unsubscribe);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post">');
    const done = await fetch(mail.headers['List-Unsubscribe']!.slice(1, -1), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('news7@example.net will receive no more campaigns');

    const seven = await call('GET', `/campaigns/${campaign!.id}/recipients?per_page=100&status=unsubscribed`);
    expect(seven.body.data).toHaveLength(1);
    expect(seven.body.data[0]).toMatchObject({ email: 'news7@example.net', opened_at: expect.any(String), clicked_at: expect.any(String) });
    expect((await call('GET', `/campaigns/${campaign!.id}`)).body.data.stats).toMatchObject({ opened: 1, clicked: 1, unsubscribed: 1 });
    const [row] = await t.sql<{ id: string }>("select id from crm_contacts where email = 'news7@example.net'");
    const contact = (await call('GET', `/contacts/${row!.id}`)).body.data;
    expect(contact.unsubscribed).toBe(true);
    const timeline = await call('GET', `/contacts/${contact.id}/interactions`);
    expect(timeline.body.data[0]).toMatchObject({ type: 'email', subject: 'Unsubscribed from email campaigns' });

    // Deleted and re-created, the address stays unsubscribed: the next campaign skips it.
    await call('DELETE', `/contacts/${contact.id}`);
    await call('POST', '/contacts', { email: 'NEWS7@example.net', tags: ['news'], custom_fields: { plan: 'pro' } });
    const second = await campaignTo('news', 'Second send');
    const started = await call('POST', `/campaigns/${second}/send`);
    expect(started.body.data.stats.recipients).toBe(999);
    await sentCampaign(second);
    expect(await t.mailbox('news7@example.net')).toHaveLength(1);
    expect(await t.mailbox('NEWS7@example.net')).toHaveLength(0);
    expect(await t.mailbox('news8@example.net')).toHaveLength(2);
  }, 120_000);
});
