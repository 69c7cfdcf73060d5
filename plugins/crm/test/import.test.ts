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

const csv = { 'content-type': 'text/csv' };
const upload = (body: string, query = '') => call('POST', `/contacts/import${query}`, body, csv);
const waitForImport = (id: string) =>
  eventually(async () => {
    const response = await call('GET', `/imports/${id}`);
    return response.body.data.status === 'completed' ? response.body.data : undefined;
  }, 60_000);

describe('CSV import', () => {
  it('previews a dry run with per-row errors, importing nothing', async () => {
    await call('POST', '/contacts', { email: 'known@example.com', name: 'Known' });
    const file = [
      'Full Name,E-mail,Plan,Seats,Renewal,Tags,Score,Note',
      'Ann,ann@example.com,pro,3,2027-05-01,a;b,10,hello',
      'Bad Email,not-an-email,free,1,,,,',
      'Bad Types,types@example.com,gold,many,2027-13-01,,x,',
      'Known,KNOWN@example.com,free,,,,,',
      '"Quoted, Name",quoted@example.com,,,,,,',
      'Repeat,ann@example.com,,,,,,',
      'Short,short@example.com',
    ].join('\n');
    const mapping = encodeURIComponent(JSON.stringify({ 'Full Name': 'name', 'E-mail': 'email', Plan: 'custom.plan', Note: 'ignore' }));
    const response = await upload(file, `?dry_run=true&on_duplicate=update&mapping=${mapping}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const data = response.body.data;
    expect(data).toMatchObject({ dry_run: true, total_rows: 7, valid_rows: 3, invalid_rows: 4, would_create: 2, would_update: 1, would_skip: 0 });
    expect(data.ignored_columns).toEqual(['Note']);
    expect(data.errors).toEqual(
      expect.arrayContaining([
        { line: 3, field: 'email', message: 'must be a valid email' },
        { line: 4, field: 'custom_fields.plan', message: 'must be one of: free, pro' },
        { line: 4, field: 'custom_fields.seats', message: 'must be a number' },
        { line: 4, field: 'custom_fields.renewal', message: 'must be a date (YYYY-MM-DD)' },
        { line: 4, field: 'score', message: 'must be a whole number' },
        { line: 7, field: 'email', message: 'repeats the email of line 2' },
        { line: 8, field: 'row', message: 'has 2 fields; the header has 8' },
      ]),
    );
    expect(data.preview[0]).toMatchObject({
      line: 2,
      email: 'ann@example.com',
      name: 'Ann',
      tags: ['a', 'b'],
      score: 10,
      custom: { plan: 'pro', seats: 3, renewal: '2027-05-01' },
    });
    expect(data.preview[2]).toMatchObject({ name: 'Quoted, Name' });
    const [count] = await t.sql<{ count: number }>('select count(*)::int as count from crm_contacts');
    expect(count!.count).toBe(1);
  });

  it('imports the good rows as a job, updating or skipping duplicates', async () => {
    const file = ['name,email,custom.seats,tags', 'Known Updated,known@example.com,9,imported', 'New One,new1@example.com,1,', 'Broken,broken@,2,'].join('\n');
    const started = await upload(file, '?on_duplicate=update');
    expect(started.status).toBe(202);
    expect(started.body.data).toMatchObject({ status: 'queued', total_rows: 3, failed: 1 });
    const done = await waitForImport(started.body.data.id);
    expect(done).toMatchObject({ status: 'completed', processed_rows: 3, progress: 100, created: 1, updated: 1, skipped: 0, failed: 1 });
    expect(done.errors).toEqual([{ line: 4, field: 'email', message: 'must be a valid email' }]);
    const known = (await call('GET', '/contacts?q=known')).body.data[0];
    expect(known).toMatchObject({ name: 'Known Updated', tags: ['imported'], custom_fields: { seats: 9 } });
    expect((await call('GET', '/contacts?q=broken')).body.data).toEqual([]);

    const skipped = await upload('email,name\nknown@example.com,Ignored\nnew2@example.com,Two\n');
    const second = await waitForImport(skipped.body.data.id);
    expect(second).toMatchObject({ created: 1, updated: 0, skipped: 1 });
    expect((await call('GET', '/contacts?q=known')).body.data[0].name).toBe('Known Updated');
    const events = await t.sql<{ payload: Record<string, number> }>(
      "select payload from plinth_events where name = 'crm.import.completed' order by created_at",
    );
    expect(events.map((event) => event.payload)).toEqual([
      { importId: started.body.data.id, created: 1, updated: 1, skipped: 0, failed: 1 },
      { importId: skipped.body.data.id, created: 1, updated: 0, skipped: 1, failed: 0 },
    ]);
    expect((await call('GET', '/imports')).body.meta.pagination.total).toBe(2);
  });

  it('refuses a file with broken quoting, naming the line', async () => {
    const response = await upload('name,email\n"Ann,ann@example.com\nBob,bob@example.com\n');
    expect(response.status).toBe(422);
    expect(response.body.errors.file[0]).toMatch(/quote/i);
    const stray = await upload('name,email\nA"nn",ann@example.com\n');
    expect(stray.status).toBe(422);
    expect(stray.body.errors.file[0]).toMatch(/line 2/);
  });

  it('refuses unknown custom fields, bad mappings, empty files and other media types', async () => {
    const unknown = await upload('email,custom.colour\na@example.com,red\n', '?dry_run=true');
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors.mapping).toEqual(['column "custom.colour": custom.colour is not a defined custom field']);
    const badTarget = await upload('email,x\na@example.com,1\n', `?mapping=${encodeURIComponent('{"x":"password"}')}`);
    expect(badTarget.body.errors.mapping).toEqual(['column "x": password is not a contact field']);
    expect((await upload('name\nAnn\n')).body.errors.mapping).toEqual(['no column is mapped to email']);
    expect((await upload('email\na@example.com\n', '?mapping=nope')).status).toBe(422);
    expect((await upload('email\na@example.com\n', `?mapping=${encodeURIComponent('{"missing":"name"}')}`)).body.errors.mapping).toEqual([
      'column "missing" is not in the file',
    ]);
    expect((await upload('')).status).toBe(422);
    expect((await upload('email\na@example.com\n', '?on_duplicate=merge')).status).toBe(422);
    // JSON names an uploaded file (see attachments.test.ts); anything else in it is refused.
    const json = await call('POST', '/contacts/import', { email: 'a@example.com' });
    expect(json.status).toBe(422);
    expect(json.body.code).toBe('validation_failed');
    expect((await call('POST', '/contacts/import', 'email=a@example.com', { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415);
  });

  it('refuses an oversized file with 413', async () => {
    const big = `email\n${'a@example.com\n'.repeat(Math.ceil((50 * 1024 * 1024) / 14) + 10)}`;
    const response = await upload(big);
    expect(response.status).toBe(413);
    expect(response.body.code).toBe('payload_too_large');
  });

  it('imports 100,000 rows as a job whose progress the client polls', async () => {
    const lines = ['email,name,company,score,tags,custom.plan'];
    for (let i = 0; i < 100_000; i++) lines.push(`bulk${i}@example.org,Bulk Person ${i},Company ${i % 500},${i % 100},bulk,${i % 2 ? 'pro' : 'free'}`);
    const started = await upload(`${lines.join('\n')}\n`);
    expect(started.status).toBe(202);
    const seen = new Set<number>();
    // Twenty chunks of 5,000 rows: the wait is generous for a machine busy with other suites (about 3 minutes seen).
    const done = await eventually(async () => {
      const state = (await call('GET', `/imports/${started.body.data.id}`)).body.data;
      seen.add(state.progress);
      return state.status === 'completed' ? state : undefined;
    }, 300_000);
    expect(done).toMatchObject({ total_rows: 100_000, processed_rows: 100_000, created: 100_000, failed: 0, progress: 100 });
    expect([...seen].some((progress) => progress > 0 && progress < 100)).toBe(true);
    expect((await call('GET', '/contacts?tag=bulk&per_page=1')).body.meta.pagination.total).toBe(100_000);
    const search = await call('GET', '/contacts?q=bulk99999');
    expect(search.body.data.map((c: { email: string }) => c.email)).toEqual(['bulk99999@example.org']);
  }, 360_000);
});
