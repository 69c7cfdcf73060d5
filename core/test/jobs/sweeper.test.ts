import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOnce } from '../../src/plugins/plugin-work.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { journalPlugin } from '../plugins/fixtures/journal-plugin.js';

// What a crash leaves between a commit and the queueing (an event without its dispatch job, a plugin's job still
// in the job outbox) is queued by the sweeper; `once` does an effect once per key across retries and racing runs.
let t: TestKernel;
let owner: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [journalPlugin] });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'journal');
  await t.drainJobs();
});
afterAll(() => t?.close());

const entries = async () =>
  (await t.request('GET', '/api/v1/journal/entries', { headers: owner.headers })).body.data.map(
    (entry: { kind: string; label: string }) => `${entry.kind}:${entry.label}`,
  );

describe('the sweeper', () => {
  it('queues an event a crash left without its dispatch job, and a job left in the job outbox', async () => {
    const tenantId = owner.tenant!.id;
    await t.sql(
      `insert into plinth_events (tenant_id, name, payload, emitted_by, enqueued_at, created_at)
       values ($1, 'journal.entry.made', '{"label":"lost"}', 'journal', now() - interval '1 minute', now() - interval '1 minute')`,
      [tenantId],
    );
    await t.sql(`insert into plinth_job_outbox (tenant_id, name, data, created_at) values ($1, 'journal.record', $2, now() - interval '1 minute')`, [
      tenantId,
      JSON.stringify({ tenantId, payload: { label: 'outboxed', failTimes: 0 } }),
    ]);
    await t.kernel.services.jobs.enqueue('core.events.sweep', {});
    await expect.poll(entries, { timeout: 15_000, interval: 50 }).toEqual(expect.arrayContaining(['event:lost', 'job:outboxed']));
    await expect.poll(() => t.sql('select 1 from plinth_job_outbox'), { timeout: 10_000, interval: 50 }).toEqual([]);
    const [event] = await t.sql<{ dispatched: boolean }>("select dispatched_at is not null as dispatched from plinth_events where payload->>'label' = 'lost'");
    expect(event).toEqual({ dispatched: true });
  });

  it('leaves nothing in the job outbox once a job is queued normally', async () => {
    expect((await t.request('POST', '/api/v1/journal/jobs', { headers: owner.headers, body: { label: 'normal' } })).status).toBe(200);
    await expect.poll(entries, { timeout: 10_000, interval: 50 }).toContain('job:normal');
    await expect.poll(() => t.sql("select 1 from plinth_job_outbox where data->'payload'->>'label' = 'normal'"), { timeout: 10_000, interval: 50 }).toEqual([]);
  });
});

describe('once', () => {
  it('does an effect once per key, though two runs race for it, and again after a failed attempt', async () => {
    const { database } = t.kernel.services;
    const tenantId = owner.tenant!.id;
    let done = 0;
    const effect = async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      done++;
    };
    const raced = await Promise.all([runOnce(database, tenantId, 'test:race', effect), runOnce(database, tenantId, 'test:race', effect)]);
    expect(raced.sort()).toEqual([false, true]);
    expect(done).toBe(1);
    expect(await runOnce(database, tenantId, 'test:race', effect)).toBe(false);

    await expect(
      runOnce(database, tenantId, 'test:fails', async () => {
        throw new Error('provider down');
      }),
    ).rejects.toThrow('provider down');
    expect(await runOnce(database, tenantId, 'test:fails', effect)).toBe(true);
    expect(done).toBe(2);
    // Keys are per tenant.
    const other = await signUp(t, { tenant: true });
    expect(await runOnce(database, other.tenant!.id, 'test:race', effect)).toBe(true);
  });
});
