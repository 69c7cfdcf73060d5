import { addMember, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MigrationContext } from '@plinth/sdk';
import { contactSearchKeys } from '../src/migrations/007-contact-search-keys.js';
import { crmCall, crmKernel } from './helpers.js';

let t: TestKernel;
let owner: TestUser;
let call: ReturnType<typeof crmCall>;
beforeAll(async () => {
  ({ t, owner } = await crmKernel());
  call = crmCall(t, owner);
});
afterAll(() => t?.close());

const create = async (body: Record<string, unknown>) => {
  const response = await call('POST', '/contacts', body);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.data as { id: string; email: string };
};

describe('contacts', () => {
  it('creates, reads, updates and lists a contact with custom fields', async () => {
    const contact = await create({
      name: 'Ada Lovelace',
      email: 'Ada@Example.com',
      company: 'Analytical Engines',
      tags: ['vip'],
      custom_fields: { plan: 'pro', seats: 3, renewal: '2027-01-31' },
      score: 40,
      owner_id: owner.id,
    });
    const read = await call('GET', `/contacts/${contact.id}`);
    expect(read.body.data).toMatchObject({
      name: 'Ada Lovelace',
      email: 'Ada@Example.com',
      tags: ['vip'],
      custom_fields: { plan: 'pro', seats: 3, renewal: '2027-01-31' },
      source: 'manual',
      score: 40,
      owner_id: owner.id,
      unsubscribed: false,
      deleted_at: null,
    });
    const updated = await call('PATCH', `/contacts/${contact.id}`, { phone: '+44 20 7946 0000', custom_fields: { seats: '5', renewal: null } });
    expect(updated.status).toBe(200);
    expect(updated.body.data.custom_fields).toEqual({ plan: 'pro', seats: 5 });
    expect(updated.body.data.phone).toBe('+44 20 7946 0000');
  });

  it('keeps emails unique per tenant, ignoring case', async () => {
    await create({ email: 'grace@example.com' });
    const duplicate = await call('POST', '/contacts', { email: 'GRACE@example.com' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.errors.email).toBeDefined();
    const other = await create({ email: 'other-grace@example.com' });
    expect((await call('PATCH', `/contacts/${other.id}`, { email: 'Grace@Example.com' })).status).toBe(409);
  });

  it('refuses bad input with field errors', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ email: 'not-an-email' }, 'email'],
      [{ email: 'x@example.com', custom_fields: { colour: 'red' } }, 'custom_fields.colour'],
      [{ email: 'x@example.com', custom_fields: { seats: 'many' } }, 'custom_fields.seats'],
      [{ email: 'x@example.com', custom_fields: { renewal: '2027-02-30' } }, 'custom_fields.renewal'],
      [{ email: 'x@example.com', custom_fields: { plan: 'enterprise' } }, 'custom_fields.plan'],
      [{ email: 'x@example.com', custom_fields: { notes: 7 } }, 'custom_fields.notes'],
      [{ email: 'x@example.com', owner_id: '00000000-0000-4000-8000-000000000000' }, 'owner_id'],
      [{ email: 'x@example.com', score: 1.5 }, 'score'],
      [{ email: 'x@example.com', tags: ['a', 'a'] }, 'tags'],
      [{ email: 'x@example.com', extra: 1 }, ''],
    ];
    for (const [body, field] of cases) {
      const response = await call('POST', '/contacts', body);
      expect(response.status, JSON.stringify(body)).toBe(422);
      expect(response.body.code).toBe('validation_failed');
      if (field) expect(Object.keys(response.body.errors).join(','), JSON.stringify(body)).toContain(field);
    }
    expect((await call('GET', '/contacts?score_min=10&score_max=1')).status).toBe(422);
    expect((await call('GET', '/contacts?sort=password')).status).toBe(422);
    expect((await call('GET', '/contacts/not-a-uuid')).status).toBe(422);
    expect((await call('GET', '/contacts/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await call('PATCH', '/contacts/00000000-0000-4000-8000-000000000000', { name: 'x' })).status).toBe(404);
    expect((await t.request('POST', '/api/v1/crm/contacts', { headers: { ...owner.headers, 'content-type': 'application/json' }, body: '{bad' })).status).toBe(
      400,
    );
    const none = await t.sql<{ count: number }>("select count(*)::int as count from crm_contacts where email = 'x@example.com'");
    expect(none[0]!.count).toBe(0);
  });

  it('accepts a member as owner, and requires required custom fields', async () => {
    const member = await addMember(t, owner, ['member']);
    expect((await call('POST', '/contacts', { email: 'owned@example.com', owner_id: member.id })).status).toBe(201);
    await t.request('PUT', '/api/v1/plugins/crm/settings', {
      headers: owner.headers,
      body: { customFields: [{ key: 'region', label: 'Region', type: 'text', required: true }] },
    });
    const missing = await call('POST', '/contacts', { email: 'region@example.com' });
    expect(missing.status).toBe(422);
    expect(missing.body.errors['custom_fields.region']).toEqual(['is required']);
    const { customFields } = await import('./helpers.js');
    await t.request('PUT', '/api/v1/plugins/crm/settings', { headers: owner.headers, body: { customFields } });
  });

  it('searches name, email and company by word prefixes, filters and sorts', async () => {
    await create({ name: 'Zed Search', email: 'zed.alpha@searchco.io', company: 'Umbrella Corp', tags: ['lead', 'emea'], source: 'web', score: 5 });
    await create({ name: 'Yara Search', email: 'yara@other.io', company: 'Searchco Holdings', tags: ['lead'], source: 'event', score: 50 });
    await create({ name: "Xavier O'Search", email: 'xavier@nowhere.io', tags: ['customer'], source: 'web', score: 90 });
    const emails = async (query: string) => ((await call('GET', `/contacts?${query}`)).body.data as { email: string }[]).map((c) => c.email);
    expect(await emails('q=zed')).toEqual(['zed.alpha@searchco.io']);
    expect(await emails('q=umbrel')).toEqual(['zed.alpha@searchco.io']);
    expect((await emails('q=searchco')).sort()).toEqual(['yara@other.io', 'zed.alpha@searchco.io']);
    expect(await emails('q=alpha%40searchco')).toEqual(['zed.alpha@searchco.io']);
    expect(await emails("q=xav%20o'sea")).toEqual(['xavier@nowhere.io']);
    expect(await emails('q=%27%3A*%20%7C%20!')).toEqual(expect.any(Array)); // punctuation only: no search, no error
    expect(await emails('q=search&tag=lead&sort=score')).toEqual(['zed.alpha@searchco.io', 'yara@other.io']);
    expect(await emails('q=search&tag=lead&tag=emea')).toEqual(['zed.alpha@searchco.io']);
    expect(await emails('q=search&source=web&sort=-score')).toEqual(['xavier@nowhere.io', 'zed.alpha@searchco.io']);
    expect(await emails('q=search&score_min=10&score_max=60')).toEqual(['yara@other.io']);
    expect(await emails('q=search&sort=name')).toEqual(['xavier@nowhere.io', 'yara@other.io', 'zed.alpha@searchco.io']);
    expect(await emails(`q=search&created_from=2000-01-01&created_to=${new Date().toISOString().slice(0, 10)}`)).toHaveLength(3);
    expect(await emails('q=search&created_to=2000-01-01')).toEqual([]);
    expect(await emails(`owner_id=${owner.id}`)).toEqual(['Ada@Example.com']);
    const page = await call('GET', '/contacts?q=search&per_page=2&page=2&sort=email');
    expect(page.body.meta.pagination).toEqual({ page: 2, per_page: 2, total: 3, total_pages: 2 });
    expect(page.body.data.map((c: { email: string }) => c.email)).toEqual(['zed.alpha@searchco.io']);
  });

  it('counts a search’s live matches from the index, through edits, the trash and restores', async () => {
    const quill = await create({ name: 'Quill Quillon', email: 'quill@example.com', tags: ['vip'] });
    const other = await create({ name: 'Quincy Quillson', email: 'quincy@example.com', tags: ['vip', 'new'] });
    await create({ name: 'Quill Plain', email: 'quill.plain@example.com' });
    const total = async (query: string) => (await call('GET', `/contacts?${query}&per_page=1`)).body.meta.pagination.total as number;
    // `qui` matches several words of one contact: each contact counts once.
    expect([await total('q=qui'), await total('q=quill'), await total('q=qui&tag=vip'), await total('tag=vip&tag=new')]).toEqual([3, 3, 2, 1]);
    await call('DELETE', `/contacts/${other.id}`);
    expect([await total('q=qui'), await total('q=qui&tag=vip'), await total('q=qui&deleted=true')]).toEqual([2, 1, 1]);
    // Edited while in the trash: the new words are not live either.
    await t.sql("update crm_contacts set name = 'Quincy Renamed' where id = $1", [other.id]);
    expect([await total('q=renamed'), await total('q=renamed&deleted=true')]).toEqual([0, 1]);
    await call('POST', `/contacts/${other.id}/restore`);
    expect([await total('q=qui'), await total('q=renamed'), await total('q=qui&tag=vip&score_max=0')]).toEqual([3, 1, 2]);
    await call('PATCH', `/contacts/${quill.id}`, { tags: [] });
    expect(await total('q=qui&tag=vip')).toBe(1);
  });

  it('keeps the keys a search filters and sorts on in step with score, creation time, tags and the trash', async () => {
    const low = await create({ name: 'Keyed Low', email: 'keyed.low@example.com', tags: ['k1'], score: 10 });
    const high = await create({ name: 'Keyed High', email: 'keyed.high@example.com', tags: ['k1', 'k2'], score: 80 });
    const mid = await create({ name: 'Keyed Mid', email: 'keyed.mid@example.com', score: 50 });
    const ids = async (query: string) => ((await call('GET', `/contacts?${query}`)).body.data as { id: string }[]).map((c) => c.id);
    expect(await ids('q=keyed&sort=-score')).toEqual([high.id, mid.id, low.id]);
    expect(await ids('q=keyed&sort=score&score_min=20')).toEqual([mid.id, high.id]);
    expect(await ids('tag=k1&sort=-score&score_max=50')).toEqual([low.id]);
    await call('PATCH', `/contacts/${low.id}`, { score: 99, tags: ['k2'] });
    expect(await ids('q=keyed&sort=-score')).toEqual([low.id, high.id, mid.id]);
    expect(await ids('q=keyed&tag=k2&sort=-score')).toEqual([low.id, high.id]);
    await t.sql(`update crm_contacts set created_at = '2001-02-03T12:00:00Z' where id = $1`, [mid.id]);
    expect(await ids('q=keyed&sort=created_at')).toEqual([mid.id, low.id, high.id]);
    expect(await ids('q=keyed&created_to=2001-02-03')).toEqual([mid.id]);
    expect(await ids('q=keyed&created_from=2001-02-04&sort=-created_at')).toEqual([high.id, low.id]);
    await call('DELETE', `/contacts/${high.id}`);
    expect(await ids('q=keyed&sort=-score')).toEqual([low.id, mid.id]);
    expect(await ids('q=keyed&deleted=true&sort=-score&score_min=80')).toEqual([high.id]);
    // A page past the end still tells the total.
    const past = await call('GET', '/contacts?q=keyed&sort=-score&page=3&per_page=1');
    expect(past.body.data).toEqual([]);
    expect(past.body.meta.pagination).toEqual({ page: 3, per_page: 1, total: 2, total_pages: 2 });
  });

  it('finds contacts indexed before the search keys existed (migration 007), live and trashed', async () => {
    const { knex } = t.kernel.services.database;
    await knex.transaction((db) => contactSearchKeys.down({ db } as MigrationContext));
    const older = await create({ name: 'Backfill Older', email: 'backfill.older@example.com', tags: ['bf'], score: 20 });
    const newer = await create({ name: 'Backfill Newer', email: 'backfill.newer@example.com', score: 60 });
    const trashed = await create({ name: 'Backfill Binned', email: 'backfill.binned@example.com', tags: ['bf'], score: 40 });
    await call('DELETE', `/contacts/${trashed.id}`);
    await knex.transaction((db) => contactSearchKeys.up({ db } as MigrationContext));
    const ids = async (query: string) => ((await call('GET', `/contacts?${query}`)).body.data as { id: string }[]).map((c) => c.id);
    expect(await ids('q=backfill')).toEqual([newer.id, older.id]);
    expect(await ids('q=backfill&sort=score')).toEqual([older.id, newer.id]);
    expect(await ids('q=backfill&tag=bf&score_min=10')).toEqual([older.id]);
    expect(await ids('q=backfill&deleted=true&sort=-score&score_max=40')).toEqual([trashed.id]);
    expect(await ids('tag=bf&deleted=true&sort=created_at')).toEqual([trashed.id]);
  });

  it('soft-deletes and restores, refusing a restore whose email was taken meanwhile', async () => {
    const contact = await create({ email: 'trash@example.com', name: 'Trash' });
    expect((await call('DELETE', `/contacts/${contact.id}`)).status).toBe(204);
    expect((await call('GET', `/contacts/${contact.id}`)).status).toBe(404);
    expect((await call('DELETE', `/contacts/${contact.id}`)).status).toBe(404);
    const trash = await call('GET', '/contacts?deleted=true&q=trash');
    expect(trash.body.data.map((c: { id: string }) => c.id)).toEqual([contact.id]);
    const restored = await call('POST', `/contacts/${contact.id}/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body.data.deleted_at).toBeNull();
    expect((await call('POST', `/contacts/${contact.id}/restore`)).status).toBe(404);

    await call('DELETE', `/contacts/${contact.id}`);
    const replacement = await create({ email: 'TRASH@example.com' });
    expect((await call('POST', `/contacts/${contact.id}/restore`)).status).toBe(409);
    expect(replacement.id).not.toBe(contact.id);
  });

  it('records a timeline of interactions', async () => {
    const contact = await create({ email: 'timeline@example.com' });
    const call1 = await call('POST', `/contacts/${contact.id}/interactions`, { type: 'call', subject: 'Intro call', occurred_at: '2026-01-01T10:00:00Z' });
    expect(call1.status).toBe(201);
    expect(call1.body.data.actor_id).toBe(owner.id);
    await call('POST', `/contacts/${contact.id}/interactions`, { type: 'note', subject: 'Follow-up', content: 'Sent pricing', channel: 'email' });
    const timeline = await call('GET', `/contacts/${contact.id}/interactions`);
    expect(timeline.body.data.map((i: { subject: string }) => i.subject)).toEqual(['Follow-up', 'Intro call']);
    expect((await call('GET', `/contacts/${contact.id}/interactions?type=call`)).body.meta.pagination.total).toBe(1);
    for (const body of [{ type: 'call' }, { type: 'Bad Type', subject: 'x' }, { type: 'note', subject: 'x', occurred_at: 'yesterday' }]) {
      expect((await call('POST', `/contacts/${contact.id}/interactions`, body)).status, JSON.stringify(body)).toBe(422);
    }
    expect((await call('POST', '/contacts/00000000-0000-4000-8000-000000000000/interactions', { type: 'note', subject: 'x' })).status).toBe(404);
    expect((await call('DELETE', `/contacts/${contact.id}/interactions/${call1.body.data.id}`)).status).toBe(204);
    expect((await call('DELETE', `/contacts/${contact.id}/interactions/${call1.body.data.id}`)).status).toBe(404);
  });

  it('merges duplicates into one contact, keeping their interactions', async () => {
    const primary = await create({ email: 'merge-main@example.com', tags: ['a'], custom_fields: { plan: 'free' }, score: 10 });
    const dup = await create({
      email: 'merge-dup@example.com',
      name: 'Merged Name',
      phone: '123',
      tags: ['b'],
      custom_fields: { plan: 'pro', seats: 2 },
      score: 70,
    });
    await call('POST', `/contacts/${dup.id}/interactions`, { type: 'meeting', subject: 'Met at the fair' });
    const merged = await call('POST', `/contacts/${primary.id}/merge`, { duplicate_ids: [dup.id] });
    expect(merged.status).toBe(200);
    expect(merged.body.data).toMatchObject({ name: 'Merged Name', phone: '123', tags: ['a', 'b'], score: 70, custom_fields: { plan: 'free', seats: 2 } });
    const timeline = await call('GET', `/contacts/${primary.id}/interactions`);
    expect(timeline.body.data.map((i: { subject: string }) => i.subject)).toContain('Met at the fair');
    expect((await call('GET', `/contacts/${dup.id}`)).status).toBe(404);
    const [row] = await t.sql<{ merged_into: string }>('select merged_into from crm_contacts where id = $1', [dup.id]);
    expect(row!.merged_into).toBe(primary.id);

    expect((await call('POST', `/contacts/${primary.id}/merge`, { duplicate_ids: [primary.id] })).status).toBe(422);
    expect((await call('POST', `/contacts/${primary.id}/merge`, { duplicate_ids: [dup.id] })).status).toBe(404);
    expect((await call('POST', `/contacts/${primary.id}/merge`, { duplicate_ids: [] })).status).toBe(422);
  });

  it('drops a contact’s search words with it when the contact row is deleted (the tenant’s data purged)', async () => {
    const gone = await create({ email: 'words-gone@example.com', name: 'Zephyrine Quill', tags: ['fleeting'] });
    const kept = await create({ email: 'words-kept@example.com', name: 'Zephyrine Stay' });
    const words = (id: string) => t.sql<{ n: number }>('select count(*)::int as n from crm_contact_words where contact_id = $1', [id]);
    expect((await words(gone.id))[0]!.n).toBeGreaterThan(0);
    await t.sql('delete from crm_contacts where id = $1', [gone.id]);
    expect((await words(gone.id))[0]!.n).toBe(0);
    expect((await words(kept.id))[0]!.n).toBeGreaterThan(0);
    expect((await call('GET', '/contacts?q=zephyrine')).body.data.map((c: { email: string }) => c.email)).toEqual(['words-kept@example.com']);
  });

  it('emits contact events', async () => {
    const contact = await create({ email: 'events@example.com', name: 'Ev' });
    await call('PATCH', `/contacts/${contact.id}`, { name: 'Eve' });
    await call('DELETE', `/contacts/${contact.id}`);
    const events = await t.sql<{ name: string; payload: Record<string, unknown> }>(
      "select name, payload from plinth_events where payload->>'contactId' = $1 order by created_at, name",
      [contact.id],
    );
    expect(events.map((event) => event.name)).toEqual(['crm.contact.created', 'crm.contact.updated', 'crm.contact.deleted']);
    expect(events[0]!.payload).toEqual({ contactId: contact.id, email: 'events@example.com', name: 'Ev', source: 'manual' });
    expect(events[1]!.payload).toEqual({ contactId: contact.id, email: 'events@example.com', changed: ['name'] });
  });

  it('has migrations that run down and up again', async () => {
    await t.checkMigrations('crm');
    expect((await call('GET', '/contacts')).body.meta.pagination.total).toBe(0);
  });
});
