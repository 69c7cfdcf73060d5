import type { TestKernel, TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmCall, crmKernel, eventually } from './helpers.js';

let t: TestKernel;
let owner: TestUser;
let call: ReturnType<typeof crmCall>;
beforeAll(async () => {
  ({ t, owner } = await crmKernel());
  call = crmCall(t, owner);
});
afterAll(() => t?.close());

interface Entry {
  action: string;
  actor: { user_id: string | null };
  target: { type: string | null; id: string | null };
  data: { changes?: Record<string, unknown>; by?: string } & Record<string, unknown>;
}

/** The CRM's entries about one record, oldest first. */
async function entriesOf(targetId: string): Promise<Entry[]> {
  const response = await t.request('GET', `/api/v1/audit-log?action=crm.&target_id=${targetId}&per_page=100`, { headers: owner.headers });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return (response.body.data as Entry[]).toReversed();
}

const redacted = { redacted: true };

describe('CRM audit trail', () => {
  it('contacts: created, updated, deleted, restored and merged, with their personal data redacted', async () => {
    const created = await call('POST', '/contacts', {
      email: 'ada@audit.example',
      name: 'Ada Lovelace',
      phone: '+44 20 7946 0000',
      company: 'Engines',
      tags: ['vip'],
    });
    const id = created.body.data.id as string;
    expect((await call('PATCH', `/contacts/${id}`, { company: 'Analytical', phone: '+44 20 7946 0001', score: 5 })).status).toBe(200);
    expect((await call('DELETE', `/contacts/${id}`)).status).toBe(204);
    expect((await call('POST', `/contacts/${id}/restore`)).status).toBe(200);
    const duplicate = (await call('POST', '/contacts', { email: 'ada2@audit.example', company: 'Other' })).body.data.id as string;
    expect((await call('POST', `/contacts/${id}/merge`, { duplicate_ids: [duplicate] })).status).toBe(200);

    const entries = await entriesOf(id);
    expect(entries.map((entry) => entry.action)).toEqual([
      'crm.contact.created',
      'crm.contact.updated',
      'crm.contact.deleted',
      'crm.contact.restored',
      'crm.contact.merged',
    ]);
    expect(entries.every((entry) => entry.actor.user_id === owner.id)).toBe(true);
    const [create, update, remove] = entries;
    expect(create!.data.changes).toMatchObject({
      email: redacted,
      name: redacted,
      phone: redacted,
      company: { from: null, to: 'Engines' },
      tags: { from: null, to: ['vip'] },
    });
    expect(update!.data.changes).toEqual({ company: { from: 'Engines', to: 'Analytical' }, phone: redacted, score: { from: 0, to: 5 } });
    expect(Object.keys(remove!.data.changes!)).toEqual(['deleted_at']);
    expect(entries[4]!.data).toMatchObject({ duplicate_ids: [duplicate] });
    // No value of a redacted field anywhere in the log.
    const text = JSON.stringify(entries);
    for (const value of ['ada@audit.example', 'Lovelace', '7946']) expect(text).not.toContain(value);
    expect((await entriesOf(duplicate)).map((entry) => [entry.action, entry.data.merged_into])).toEqual([
      ['crm.contact.created', undefined],
      ['crm.contact.deleted', id],
    ]);
  });

  it('interactions and a read leave entries only for the writes', async () => {
    const id = (await call('POST', '/contacts', { email: 'tim@audit.example' })).body.data.id as string;
    const note = await call('POST', `/contacts/${id}/interactions`, { type: 'call', subject: 'Tim’s private matter', content: 'secret' });
    expect((await call('GET', `/contacts/${id}`)).status).toBe(200);
    expect((await call('DELETE', `/contacts/${id}/interactions/${note.body.data.id}`)).status).toBe(204);
    const entries = await entriesOf(note.body.data.id);
    expect(entries.map((entry) => entry.action)).toEqual(['crm.interaction.created', 'crm.interaction.deleted']);
    expect(entries[0]!.data.changes).toMatchObject({
      type: { from: null, to: 'call' },
      subject: redacted,
      content: redacted,
      contact_id: { from: null, to: id },
    });
    expect(JSON.stringify(entries)).not.toContain('private');
    expect((await entriesOf(id)).map((entry) => entry.action)).toEqual(['crm.contact.created']);
  });

  it('segments, templates and campaigns from draft to sent; the send job’s entry is the CRM’s', async () => {
    await call('POST', '/contacts', { email: 'reader@audit.example', tags: ['news'] });
    const segment = (await call('POST', '/segments', { name: 'News', filter: { tag: ['news'] } })).body.data.id as string;
    expect((await call('PATCH', `/segments/${segment}`, { name: 'Newsletter' })).status).toBe(200);
    const template = (await call('POST', '/templates', { name: 'T', subject: 'Hello', html: '<p>Hi</p>', text: 'Hi' })).body.data.id as string;
    expect((await call('PATCH', `/templates/${template}`, { subject: 'Hello again', html: '<p>Hi again</p>' })).status).toBe(200);
    const draft = (await call('POST', '/campaigns', { name: 'Draft', template_id: template, segment_id: segment })).body.data.id as string;
    expect((await call('DELETE', `/campaigns/${draft}`)).status).toBe(204);
    const id = (await call('POST', '/campaigns', { name: 'June', template_id: template, segment_id: segment })).body.data.id as string;
    expect((await call('PATCH', `/campaigns/${id}`, { name: 'June news' })).status).toBe(200);
    expect((await call('POST', `/campaigns/${id}/send`)).status).toBe(202);
    await eventually(async () => ((await call('GET', `/campaigns/${id}`)).body.data.status === 'sent' ? true : undefined), 60_000);

    expect((await entriesOf(segment)).map((entry) => [entry.action, entry.data.changes])).toEqual([
      ['crm.segment.created', { name: { from: null, to: 'News' }, filter: { from: null, to: { tag: ['news'] } }, unit_id: { from: null, to: null } }],
      ['crm.segment.updated', { name: { from: 'News', to: 'Newsletter' } }],
    ]);
    const templateEntries = await entriesOf(template);
    expect(templateEntries.map((entry) => entry.action)).toEqual(['crm.template.created', 'crm.template.updated']);
    expect(templateEntries[1]!.data.changes).toEqual({ subject: { from: 'Hello', to: 'Hello again' }, html: redacted });
    expect((await entriesOf(draft)).map((entry) => entry.action)).toEqual(['crm.campaign.created', 'crm.campaign.deleted']);

    const campaign = await entriesOf(id);
    expect(campaign.map((entry) => entry.action)).toEqual(['crm.campaign.created', 'crm.campaign.updated', 'crm.campaign.sent', 'crm.campaign.completed']);
    expect(campaign[1]!.data.changes).toEqual({ name: { from: 'June', to: 'June news' } });
    expect(campaign[2]).toMatchObject({ actor: { user_id: owner.id }, data: { recipients: 1, changes: { status: { from: 'draft', to: 'sending' } } } });
    expect(campaign[3]).toMatchObject({ actor: { user_id: null }, data: { by: 'crm', sent: 1, changes: { status: { from: 'sending', to: 'sent' } } } });
  });

  it('an import is one entry, however many contacts it writes', async () => {
    const contactEntries = async () =>
      (await t.request('GET', '/api/v1/audit-log?action=crm.contact.&per_page=1', { headers: owner.headers })).body.meta.pagination.total as number;
    const before = await contactEntries();
    const csv = ['email,name', ...Array.from({ length: 25 }, (_, i) => `bulk${i}@audit.example,Bulk ${i}`)].join('\n');
    const started = await call('POST', '/contacts/import', csv, { 'content-type': 'text/csv' });
    expect(started.status).toBe(202);
    const importId = started.body.data.id as string;
    await eventually(async () => ((await call('GET', `/imports/${importId}`)).body.data.status === 'completed' ? true : undefined));
    const entries = await entriesOf(importId);
    expect(entries).toMatchObject([{ action: 'crm.import.completed', data: { by: 'crm', rows: 25, created: 25, created_by: owner.id } }]);
    expect(await contactEntries()).toBe(before);
  });

  it('an unsubscribe through the mail’s link is recorded without an actor', async () => {
    const contact = (await call('POST', '/contacts', { email: 'leaver@audit.example', tags: ['leaver'] })).body.data.id as string;
    const segment = (await call('POST', '/segments', { name: 'Leavers', filter: { tag: ['leaver'] } })).body.data.id as string;
    const template = (await call('POST', '/templates', { name: 'L', subject: 'Bye', html: '<p>{{unsubscribe_url}}</p>', text: 'x' })).body.data.id as string;
    const campaign = (await call('POST', '/campaigns', { name: 'L', template_id: template, segment_id: segment })).body.data.id as string;
    expect((await call('POST', `/campaigns/${campaign}/send`)).status).toBe(202);
    const mail = await eventually(async () => (await t.mailbox('leaver@audit.example'))[0]);
    const done = await fetch(mail.headers['List-Unsubscribe']!.slice(1, -1), {
      method: 'POST',
      body: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(done.status).toBe(200);
    const entries = await entriesOf(contact);
    expect(entries.at(-1)).toMatchObject({ action: 'crm.contact.unsubscribed', actor: { user_id: null }, data: { by: 'crm', campaign_id: campaign } });
  });
});
