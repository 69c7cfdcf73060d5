import type { TestKernel, TestUser } from '@plinth/core/testing';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmCall, crmKernel } from './helpers.js';

let t: TestKernel;
let owner: TestUser;
let call: ReturnType<typeof crmCall>;
beforeAll(async () => {
  ({ t, owner } = await crmKernel());
  call = crmCall(t, owner);
  for (const [email, tags, score, extra] of [
    ['ann@example.com', ['lead'], 10, { name: 'Ann Lead', custom_fields: { plan: 'pro', seats: 2 } }],
    ['bob@example.com', ['lead', 'vip'], 80, { name: '=HYPERLINK("http://evil")', company: 'Bobs, "Quoted" Inc' }],
    ['cid@example.com', ['customer'], 50, { name: 'Cid', phone: '+1 555 0100' }],
  ] as const) {
    expect((await call('POST', '/contacts', { email, tags, score, ...extra })).status).toBe(201);
  }
});
afterAll(() => t?.close());

describe('segments', () => {
  it('save the list filter and count live matches', async () => {
    const created = await call('POST', '/segments', { name: 'Hot leads', filter: { tag: ['lead'], score_min: 50 } });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ name: 'Hot leads', filter: { tag: ['lead'], score_min: 50 }, count: 1 });
    const id = created.body.data.id;
    await call('POST', '/contacts', { email: 'dee@example.com', tags: ['lead'], score: 99 });
    expect((await call('GET', `/segments/${id}`)).body.data.count).toBe(2);
    const members = await call('GET', `/segments/${id}/contacts`);
    expect(members.body.data.map((c: { email: string }) => c.email)).toEqual(['dee@example.com', 'bob@example.com']);
    const changed = await call('PATCH', `/segments/${id}`, { filter: { q: 'ann' } });
    expect(changed.body.data.count).toBe(1);
    const list = await call('GET', '/segments');
    expect(list.body.data).toEqual([expect.objectContaining({ id, count: 1 })]);
    expect(list.body.meta.pagination.total).toBe(1);
    const dee = (await call('GET', '/contacts?q=dee')).body.data[0];
    await call('DELETE', `/contacts/${dee.id}`);
    expect((await call('GET', `/segments/${id}`)).body.data.count).toBe(1);
  });

  it('refuse filters outside the language', async () => {
    for (const filter of [{ colour: 'red' }, { score_min: 'high' }, { score_min: 9, score_max: 1 }, { created_from: 'last week' }, { owner_id: 'me' }]) {
      const response = await call('POST', '/segments', { name: 'bad', filter });
      expect(response.status, JSON.stringify(filter)).toBe(422);
    }
    expect((await call('POST', '/segments', { filter: {} })).status).toBe(422);
    expect((await call('GET', '/segments/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await call('PATCH', '/segments/00000000-0000-4000-8000-000000000000', { name: 'x' })).status).toBe(404);
    expect((await call('DELETE', '/segments/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });
});

describe('export', () => {
  it('streams the filtered list as CSV, neutralising formulas', async () => {
    const response = await call('GET', '/contacts/export?tag=lead');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toContain('contacts.csv');
    const [header, ...rows] = parse(response.body as string) as string[][];
    expect(header).toEqual([
      'id',
      'name',
      'email',
      'phone',
      'company',
      'tags',
      'source',
      'score',
      'owner_id',
      'unit_id',
      'created_at',
      'updated_at',
      'custom.plan',
      'custom.seats',
      'custom.renewal',
      'custom.notes',
    ]);
    const byEmail = new Map(rows.map((row) => [row[2], row]));
    expect([...byEmail.keys()].sort()).toEqual(['ann@example.com', 'bob@example.com']);
    expect(byEmail.get('bob@example.com')![1]).toBe('\'=HYPERLINK("http://evil")');
    expect(byEmail.get('bob@example.com')![4]).toBe('Bobs, "Quoted" Inc');
    expect(byEmail.get('bob@example.com')![5]).toBe('lead;vip');
    expect(byEmail.get('ann@example.com')!.slice(12, 14)).toEqual(['pro', '2']);
    const all = parse((await call('GET', '/contacts/export')).body as string) as string[][];
    expect(all.find((row) => row[2] === 'cid@example.com')![3]).toBe('+1 555 0100');
  });

  it('exports a segment, and refuses a segment combined with filters', async () => {
    const segment = await call('POST', '/segments', { name: 'Customers', filter: { tag: ['customer'] } });
    const response = await call('GET', `/contacts/export?segment_id=${segment.body.data.id}`);
    const rows = parse(response.body as string) as string[][];
    expect(rows.slice(1).map((row) => row[2])).toEqual(['cid@example.com']);
    expect((await call('GET', `/contacts/export?segment_id=${segment.body.data.id}&tag=lead`)).status).toBe(422);
    expect((await call('GET', '/contacts/export?segment_id=00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await call('GET', '/contacts/export?score_min=x')).status).toBe(422);
  });

  it('streams large exports page by page', async () => {
    const lines = ['email'];
    for (let i = 0; i < 4500; i++) lines.push(`many${i}@example.org`);
    const started = await call('POST', '/contacts/import', lines.join('\n'), { 'content-type': 'text/csv' });
    await t.drainJobs();
    expect((await call('GET', `/imports/${started.body.data.id}`)).body.data.status).toBe('completed');
    const rows = parse((await call('GET', '/contacts/export?q=many')).body as string) as string[][];
    expect(rows).toHaveLength(4501);
    expect(new Set(rows.slice(1).map((row) => row[2])).size).toBe(4500);
  });
});
