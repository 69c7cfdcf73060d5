import { randomUUID } from 'node:crypto';
import { addMember, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmCall, crmKernel, eventually } from './helpers.js';

// Two teams (A, with a sub-team A1, and B) and a member who holds the CRM role in team A only.
let t: TestKernel;
let owner: TestUser;
let alice: TestUser;
let asOwner: ReturnType<typeof crmCall>;
let asAlice: ReturnType<typeof crmCall>;
const unit = { a: '', a1: '', b: '' };
const contact = { a: '', a1: '', b: '', none: '' };

async function newUnit(name: string, parentId?: string): Promise<string> {
  const response = await t.request('POST', '/api/v1/units', {
    headers: owner.headers,
    body: { name, kind: 'team', ...(parentId ? { parent_id: parentId } : {}) },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.data.id as string;
}

async function newContact(email: string, unitId: string | null, tags = ['lead']): Promise<string> {
  const response = await asOwner('POST', '/contacts', { email, name: `Zephyr ${email.split('@')[0]}`, tags, unit_id: unitId });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  expect(response.body.data.unit_id).toBe(unitId);
  return response.body.data.id as string;
}

const emailsOf = (response: { body: { data: { email: string }[] } }) => response.body.data.map((row) => row.email).sort();

beforeAll(async () => {
  ({ t, owner } = await crmKernel());
  asOwner = crmCall(t, owner);
  unit.a = await newUnit('Team A');
  unit.a1 = await newUnit('Team A1', unit.a);
  unit.b = await newUnit('Team B');
  const permissions = [
    'crm.contacts.view',
    'crm.contacts.manage',
    'crm.contacts.import',
    'crm.contacts.export',
    'crm.campaigns.view',
    'crm.campaigns.manage',
    'crm.campaigns.send',
  ];
  const role = await t.request('POST', '/api/v1/roles', { headers: owner.headers, body: { name: 'crm-team', permissions } });
  expect(role.status, JSON.stringify(role.body)).toBe(201);
  alice = await addMember(t, owner, ['viewer']);
  const granted = await t.request('POST', `/api/v1/members/${alice.id}/unit-roles`, {
    headers: owner.headers,
    body: { role_id: role.body.data.id, unit_id: unit.a },
  });
  expect(granted.status, JSON.stringify(granted.body)).toBe(201);
  asAlice = crmCall(t, alice);
  contact.a = await newContact('a@team.example', unit.a, ['lead', 'vip']);
  contact.a1 = await newContact('a1@team.example', unit.a1);
  contact.b = await newContact('b@team.example', unit.b, ['lead', 'vip']);
  contact.none = await newContact('none@team.example', null);
});
afterAll(() => t?.close());

describe('CRM contacts by team', () => {
  it('a team member lists, counts and searches only her teams’ contacts (search index included)', async () => {
    const mine = ['a1@team.example', 'a@team.example'];
    const all = await asAlice('GET', '/contacts');
    expect(all.status).toBe(200);
    expect(emailsOf(all)).toEqual(mine);
    expect(all.body.meta.pagination.total).toBe(2);
    // Words only: counted from the search index alone; with a tag: the index path; with a source: the general path.
    for (const query of ['q=zephyr', 'tag=lead', 'q=team&tag=vip', 'q=zephyr&source=manual', 'tag=lead&sort=name']) {
      const found = await asAlice('GET', `/contacts?${query}`);
      expect(found.status, query).toBe(200);
      expect(
        found.body.data.every((row: { email: string }) => mine.includes(row.email)),
        query,
      ).toBe(true);
      expect(found.body.meta.pagination.total, query).toBe(found.body.data.length);
    }
    expect((await asAlice('GET', '/contacts?q=team&tag=vip')).body.meta.pagination.total).toBe(1);
    // The whole tenant sees every team's, and none.
    expect((await asOwner('GET', '/contacts?q=zephyr')).body.meta.pagination.total).toBe(4);
  });

  it('a unit filter takes the unit and the units below it; a unit the tenant has not is 422', async () => {
    expect(emailsOf(await asOwner('GET', `/contacts?unit=${unit.a}`))).toEqual(['a1@team.example', 'a@team.example']);
    expect(emailsOf(await asOwner('GET', `/contacts?unit=${unit.a}&q=zephyr`))).toEqual(['a1@team.example', 'a@team.example']);
    expect(emailsOf(await asOwner('GET', `/contacts?unit=${unit.b}`))).toEqual(['b@team.example']);
    // Another team's unit as a filter finds nothing she could not see anyway.
    expect((await asAlice('GET', `/contacts?unit=${unit.b}`)).body.meta.pagination.total).toBe(0);
    expect((await asOwner('GET', `/contacts?unit=${randomUUID()}`)).status).toBe(422);
  });

  it('another team’s contact is not found, whatever she does with its id', async () => {
    expect((await asAlice('GET', `/contacts/${contact.a}`)).status).toBe(200);
    for (const id of [contact.b, contact.none]) {
      expect((await asAlice('GET', `/contacts/${id}`)).status).toBe(404);
      expect((await asAlice('PATCH', `/contacts/${id}`, { company: 'Hijacked' })).status).toBe(404);
      expect((await asAlice('DELETE', `/contacts/${id}`)).status).toBe(404);
      expect((await asAlice('GET', `/contacts/${id}/interactions`)).status).toBe(404);
      expect((await asAlice('POST', `/contacts/${id}/interactions`, { type: 'note', subject: 'x' })).status).toBe(404);
      expect((await asAlice('POST', `/contacts/${contact.a}/merge`, { duplicate_ids: [id] })).status).toBe(404);
    }
    const b = await asOwner('GET', `/contacts/${contact.b}`);
    expect(b.body.data).toMatchObject({ company: null, deleted_at: null });
  });

  it('exports only her teams’ contacts', async () => {
    const csv = await asAlice('GET', '/contacts/export');
    expect(csv.status).toBe(200);
    expect(csv.body).toContain('a@team.example');
    expect(csv.body).toContain('a1@team.example');
    expect(csv.body).not.toContain('b@team.example');
    expect(csv.body).not.toContain('none@team.example');
  });

  it('writes only into her teams: another team’s unit or none is 403, a made-up unit 422', async () => {
    const created = await asAlice('POST', '/contacts', { email: 'new-a1@team.example', unit_id: unit.a1 });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.data.unit_id).toBe(unit.a1);
    expect((await asAlice('POST', '/contacts', { email: 'x1@team.example', unit_id: unit.b })).status).toBe(403);
    expect((await asAlice('POST', '/contacts', { email: 'x2@team.example' })).status).toBe(403);
    // For a team member, any unit outside her teams is refused by Row Level Security first, existing or not: she
    // cannot probe for unit ids. For the whole tenant, a unit it has not is 422.
    expect((await asAlice('POST', '/contacts', { email: 'x3@team.example', unit_id: randomUUID() })).status).toBe(403);
    expect((await asOwner('POST', '/contacts', { email: 'x4@team.example', unit_id: randomUUID() })).status).toBe(422);
    // Moving her contact to another team, or out of every team.
    expect((await asAlice('PATCH', `/contacts/${created.body.data.id}`, { unit_id: unit.b })).status).toBe(403);
    expect((await asAlice('PATCH', `/contacts/${created.body.data.id}`, { unit_id: null })).status).toBe(403);
    expect((await asAlice('PATCH', `/contacts/${created.body.data.id}`, { unit_id: unit.a })).status).toBe(200);
    // Nothing was written by the refused requests, nor recorded in the audit log.
    expect((await asOwner('GET', '/contacts?q=x1')).body.meta.pagination.total).toBe(0);
    expect((await asOwner('GET', `/contacts/${created.body.data.id}`)).body.data.unit_id).toBe(unit.a);
    const log = await t.request('GET', `/api/v1/audit-log?target_id=${created.body.data.id}`, { headers: owner.headers });
    expect(log.body.data.map((entry: { action: string }) => entry.action)).toEqual(['crm.contact.updated', 'crm.contact.created']);
  });

  it('segments belong to a team; their counts count only what the reader reaches', async () => {
    const mine = await asAlice('POST', '/segments', { name: 'Leads of A', filter: { tag: ['lead'] }, unit_id: unit.a });
    expect(mine.status, JSON.stringify(mine.body)).toBe(201);
    expect(mine.body.data.count).toBe(2);
    const whole = await asOwner('POST', '/segments', { name: 'All leads', filter: { tag: ['lead'] } });
    expect(whole.body.data.count).toBe(4);
    expect((await asAlice('GET', `/segments/${whole.body.data.id}`)).status).toBe(404);
    expect((await asAlice('GET', '/segments')).body.data.map((row: { name: string }) => row.name)).toEqual(['Leads of A']);
    expect((await asAlice('POST', '/segments', { name: 'B', filter: {}, unit_id: unit.b })).status).toBe(403);
  });

  it('a campaign of a team reaches only that team’s contacts, even when the whole tenant sends it', async () => {
    const segment = (await asOwner('POST', '/segments', { name: 'Every lead', filter: { tag: ['lead'] } })).body.data.id;
    const template = (await asOwner('POST', '/templates', { name: 'Hello', subject: 'Hi', html: '<p>Hi</p>', text: 'Hi' })).body.data.id;
    const campaign = await asOwner('POST', '/campaigns', { name: 'For A', template_id: template, segment_id: segment, unit_id: unit.a });
    expect(campaign.status, JSON.stringify(campaign.body)).toBe(201);
    const id = campaign.body.data.id as string;
    expect((await asAlice('GET', `/campaigns/${id}`)).status).toBe(200);
    expect((await asOwner('POST', `/campaigns/${id}/send`)).status).toBe(202);
    const recipients = await asOwner('GET', `/campaigns/${id}/recipients`);
    expect(emailsOf(recipients)).toEqual(['a1@team.example', 'a@team.example']);

    const forB = (await asOwner('POST', '/campaigns', { name: 'For B', template_id: template, segment_id: segment, unit_id: unit.b })).body.data.id;
    expect((await asAlice('GET', `/campaigns/${forB}`)).status).toBe(404);
    expect((await asAlice('POST', `/campaigns/${forB}/send`)).status).toBe(404);
    expect((await asAlice('GET', '/campaigns')).body.data.map((row: { name: string }) => row.name)).toEqual(['For A']);
    // Her own campaign may not use a segment she cannot see.
    expect((await asAlice('POST', '/campaigns', { name: 'Mine', template_id: template, segment_id: segment, unit_id: unit.a })).status).toBe(422);
  });

  it('templates are the whole tenant’s: a team member uses them but does not change them', async () => {
    const template = (await asOwner('POST', '/templates', { name: 'Shared', subject: 'S', html: '<p>h</p>', text: 't' })).body.data.id;
    expect((await asAlice('GET', `/templates/${template}`)).status).toBe(200);
    expect((await asAlice('PATCH', `/templates/${template}`, { name: 'Mine now' })).status).toBe(403);
    expect((await asAlice('POST', '/templates', { name: 'T', subject: 'S', html: 'h', text: 't' })).status).toBe(403);
    expect((await asAlice('DELETE', `/templates/${template}`)).status).toBe(403);
  });

  it('an import into a team puts new contacts there and updates only that team’s', async () => {
    const csv = ['email,company', 'imported@team.example,Imported', 'a@team.example,Updated', 'b@team.example,Overwritten'].join('\n');
    const started = await asAlice('POST', `/contacts/import?on_duplicate=update&unit_id=${unit.a}`, csv, { 'content-type': 'text/csv' });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body.data.unit_id).toBe(unit.a);
    const done = await eventually(async () => {
      const state = (await asAlice('GET', `/imports/${started.body.data.id}`)).body.data;
      return state.status === 'completed' ? state : undefined;
    });
    expect(done).toMatchObject({ created: 1, updated: 1, skipped: 1 });
    const imported = (await asAlice('GET', '/contacts?q=imported')).body.data;
    expect(imported).toMatchObject([{ email: 'imported@team.example', unit_id: unit.a }]);
    expect((await asAlice('GET', `/contacts/${contact.a}`)).body.data.company).toBe('Updated');
    expect((await asOwner('GET', `/contacts/${contact.b}`)).body.data.company).toBeNull();
    // Into a unit the workspace has not (even for a dry run), another team's unit, or none: refused.
    expect((await asOwner('POST', `/contacts/import?dry_run=true&unit_id=${randomUUID()}`, csv, { 'content-type': 'text/csv' })).status).toBe(422);
    expect((await asAlice('POST', `/contacts/import?unit_id=${unit.b}`, csv, { 'content-type': 'text/csv' })).status).toBe(403);
    expect((await asAlice('POST', '/contacts/import', csv, { 'content-type': 'text/csv' })).status).toBe(403);
    expect((await asAlice('GET', '/imports')).body.data).toHaveLength(1);
  });
});
