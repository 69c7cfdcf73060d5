import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAsSystem } from '../../src/db/scoped-db.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { journalPlugin } from './fixtures/journal-plugin.js';

// An API process queues work and goes away; a worker started later on the same database runs it.
let api: TestKernel;
let worker: TestKernel | undefined;
let owner: TestUser;
beforeAll(async () => {
  api = await createTestKernel({ plugins: [journalPlugin], env: { PLINTH_ROLE: 'api' } });
  owner = await signUp(api, { tenant: true });
  await api.enable(owner, 'journal');
});
afterAll(async () => {
  await worker?.close();
  await api.close();
});

const entries = (t: TestKernel) =>
  runAsSystem(t.kernel.services.database, (db) =>
    db.query<{ kind: string; label: string; ctx_tenant: string }>(
      'select kind, label, ctx_tenant from journal_entries where tenant_id = $1 order by kind, label',
      [owner.tenant!.id],
    ),
  );

describe('a queued plugin job', () => {
  it('survives the process that queued it and runs on a worker started afterwards', async () => {
    expect((await api.request('POST', '/api/v1/journal/jobs', { headers: owner.headers, body: { label: 'survivor' } })).status).toBe(200);
    const { knex } = api.kernel.services.database;
    const queued = (await knex('plinth_jobs').where({ name: 'journal.record' }).select('last_run_at', 'data')) as { last_run_at: Date | null; data: unknown }[];
    expect(queued).toEqual([{ last_run_at: null, data: { tenantId: owner.tenant!.id, payload: { label: 'survivor', failTimes: 0 } } }]);
    expect(await entries(api)).toEqual([]);
    await api.kernel.stop();

    worker = await createTestKernel({ database: api.database, plugins: [journalPlugin], env: { PLINTH_ROLE: 'worker' } });
    expect(worker.kernel.url).toBeUndefined();
    await expect
      .poll(() => entries(worker!), { timeout: 20_000, interval: 50 })
      .toEqual([
        { kind: 'enabled', label: 'journal', ctx_tenant: owner.tenant!.id },
        { kind: 'job', label: 'survivor', ctx_tenant: owner.tenant!.id },
      ]);
    await worker.drainJobs();
    const ran = (await worker.kernel.services.database.knex('plinth_jobs').where({ name: 'journal.record' }).select('last_finished_at', 'fail_count')) as {
      last_finished_at: Date | null;
      fail_count: number | null;
    }[];
    expect(ran).toHaveLength(1);
    expect(ran[0]!.last_finished_at).toBeInstanceOf(Date);
  });
});
