import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Plugin } from '@plinth/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { startSmtpStandIn, startWebhookReceiver, type Counted } from './support/stand-ins.js';
import { startWorker, type WorkerProcess } from './support/worker-process.js';

// A worker killed with SIGKILL mid-work (three times, restarted each time) loses nothing and repeats nothing:
// every event is dispatched, every webhook and campaign mail arrives once by its key, every imported row is
// applied once — within 30 s of the last restart, with the default lock lifetime (15 s) and poll (5 s).
// The worker is a separate `plinth start --role worker` process on the test database (run `npx tsc -b` first).

const contacts = 60; // created through the API: as many events, webhooks and campaign recipients
const importRows = 10_000; // two chunks of the import job
const kills = 3;
const drainLimitMs = 30_000;

// The plugins load from their build here too, as in the worker: the migration checksum of the TypeScript source
// as the test runner rewrites it (`"C"` becomes `\"C\"` in crm's 004) differs from the build's, and the worker
// would refuse the database the test kernel migrated.
const built = async (name: string) => ((await import(new URL(`../../../plugins/${name}/dist/index.js`, import.meta.url).href)) as { default: Plugin }).default;
const encryptionKey = 'crash-test-encryption-key-0123456789abcdef';
// Stored files (the CRM import's CSV) are written by the API and read by the worker: they share one store, as a
// split deployment must.
const storageDir = mkdtempSync(join(tmpdir(), 'plinth-crash-files-'));
const storageUrl = pathToFileURL(storageDir).href;

let t: TestKernel;
let owner: TestUser;
let receiver: Counted;
let smtp: Awaited<ReturnType<typeof startSmtpStandIn>>;
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  receiver = await startWebhookReceiver(40);
  smtp = await startSmtpStandIn(15);
  // This process only serves the API: every job runs in the worker process.
  t = await createTestKernel({
    plugins: [await built('crm'), await built('integrations')],
    env: { PLINTH_ROLE: 'api', PLINTH_ENCRYPTION_KEY: encryptionKey, PLINTH_HTTP_ALLOW_LOOPBACK: 'true', PLINTH_STORAGE_URL: storageUrl },
  });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'crm', { campaignBatchSize: 10 });
  await t.enable(owner, 'integrations');
});
afterAll(async () => {
  if (worker) await worker.kill();
  await receiver?.close();
  await smtp?.close();
  await t?.close();
  rmSync(storageDir, { recursive: true, force: true });
});

const api = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  t.request(method, `/api/v1${path}`, { headers: { ...owner.headers, ...headers }, body });

const workerEnv = () => ({
  DATABASE_URL: t.database.url,
  PLINTH_JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
  PLINTH_ENCRYPTION_KEY: encryptionKey,
  PLINTH_PLUGINS: '@plinth/plugin-crm,@plinth/plugin-integrations',
  PLINTH_SMTP_URL: smtp.url,
  PLINTH_HTTP_ALLOW_LOOPBACK: 'true',
  PLINTH_STORAGE_URL: storageUrl,
});

/** Polls `check` until it is true, or fails after `timeoutMs` naming what it waited for. */
async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function queueWork(): Promise<{ importId: string; campaignId: string }> {
  expect((await api('POST', '/integrations/webhooks', { url: receiver.url, events: ['crm.contact.created'] })).status).toBe(201);
  for (let start = 0; start < contacts; start += 20) {
    const created = await Promise.all(
      Array.from({ length: Math.min(20, contacts - start) }, (_, offset) =>
        api('POST', '/crm/contacts', { email: `reader${start + offset}@example.net`, name: `Reader ${start + offset}`, tags: ['news'] }),
      ),
    );
    expect(created.map((response) => response.status)).toEqual(created.map(() => 201));
  }
  const lines = ['email,name,tags'];
  for (let i = 0; i < importRows; i++) lines.push(`bulk${i}@example.org,Bulk ${i},bulk`);
  const started = await api('POST', '/crm/contacts/import', `${lines.join('\n')}\n`, { 'content-type': 'text/csv' });
  expect(started.status).toBe(202);
  const segment = await api('POST', '/crm/segments', { name: 'news', filter: { tag: ['news'] } });
  const template = await api('POST', '/crm/templates', { name: 'News', subject: 'News for {{contact.name}}', html: '<p>Hi</p>', text: 'Hi' });
  const campaign = await api('POST', '/crm/campaigns', { name: 'News', template_id: template.body.data.id, segment_id: segment.body.data.id });
  expect((await api('POST', `/crm/campaigns/${campaign.body.data.id}/send`)).status).toBe(202);
  return { importId: started.body.data.id, campaignId: campaign.body.data.id };
}

const one = async <Row>(sql: string, bindings: unknown[] = []) => (await t.sql<Row>(sql, bindings))[0]!;

describe('a worker killed with SIGKILL mid-work', () => {
  it('loses no event, webhook, imported row or campaign mail, and repeats none, once restarted', async () => {
    const { importId, campaignId } = await queueWork();
    const arrived = () => receiver.total() + smtp.total();
    const atKill: { webhooks: number; mails: number; importedRows: number }[] = [];

    worker = await startWorker(workerEnv());
    for (let kill = 0; kill < kills; kill++) {
      // Kill once this worker has visibly got going: deliveries and mails in flight, jobs locked.
      const before = arrived();
      await until(`progress before kill ${kill + 1}`, () => arrived() >= before + 15, 30_000);
      await worker.kill();
      const { processed_rows } = await one<{ processed_rows: number }>('select processed_rows from crm_imports where id = $1', [importId]);
      atKill.push({ webhooks: receiver.byKey.size, mails: smtp.byKey.size, importedRows: processed_rows });
      worker = await startWorker(workerEnv());
    }
    const restarted = Date.now();

    const done = async () => {
      const state = await one<{ undispatched: number; pending: number; importing: number; sending: number; notifying: number }>(
        `select (select count(*)::int from plinth_events where dispatched_at is null) as undispatched,
                (select count(*)::int from integrations_deliveries where status <> 'succeeded') as pending,
                (select count(*)::int from crm_imports where status <> 'completed') as importing,
                (select count(*)::int from crm_campaigns where status <> 'sent') as sending,
                (select count(*)::int from notification_deliveries where status = 'pending') as notifying`,
      );
      const seconds = (Date.now() - restarted) / 1000;
      if (state.undispatched === 0) drained.events ??= seconds;
      if (state.pending === 0 && receiver.byKey.size >= contacts) drained.webhooks ??= seconds;
      if (state.importing === 0) drained.importRows ??= seconds;
      if (state.sending === 0 && smtp.byKey.size >= contacts) drained.campaign ??= seconds;
      // The importer's "import finished" notification, mailed by a delivery job of its own once the import completed.
      if (state.importing === 0 && state.notifying === 0 && smtp.recipients.has(owner.email)) drained.notification ??= seconds;
      return Object.keys(drained).length === 5;
    };
    const drained: Record<string, number> = {};
    await until('everything delivered after the last restart', done, drainLimitMs + 15_000).catch(async (error: unknown) => {
      const jobs = await t.sql(
        `select name, count(*)::int as count, count(locked_at)::int as locked, count(next_run_at)::int as due, max(fail_count) as fails, max(fail_reason) as reason
           from plinth_jobs group by name`,
      );
      const left = await t.sql(
        `select (select count(*)::int from plinth_events where dispatched_at is null) as undispatched,
                (select json_agg(distinct status) from integrations_deliveries) as deliveries,
                (select json_agg(json_build_object('status', status, 'rows', processed_rows)) from crm_imports) as imports,
                (select json_agg(distinct status) from crm_campaign_recipients) as recipients`,
      );
      throw new Error(
        `${(error as Error).message}\n${JSON.stringify({ atKill, webhooks: receiver.byKey.size, mails: smtp.byKey.size, jobs, left })}\n${worker?.output()}`,
      );
    });
    const secondsToDrain = (Date.now() - restarted) / 1000;

    const events = await one<{ total: number; created: number }>(
      "select count(*)::int as total, (count(*) filter (where name = 'crm.contact.created'))::int as created from plinth_events",
    );
    const imported = await one<{ processed_rows: number; created: number; updated: number; skipped: number; failed: number; contacts: number }>(
      `select processed_rows, created_count as created, updated_count as updated, skipped_count as skipped, failed_count as failed,
              (select count(*)::int from crm_contacts where 'bulk' = any(tags)) as contacts
         from crm_imports where id = $1`,
      [importId],
    );
    const recipients = await t.sql<{ status: string; count: number }>(
      'select status, count(*)::int as count from crm_campaign_recipients where campaign_id = $1 group by status',
      [campaignId],
    );
    const retries = await one<{ failedAttempts: number; failedRuns: number; reasons: string[] | null }>(
      `select (select count(*)::int from integrations_delivery_attempts where response_status is null or response_status >= 300) as "failedAttempts",
              (select coalesce(sum(fail_count), 0)::int from plinth_jobs) as "failedRuns",
              (select json_agg(distinct fail_reason) from plinth_jobs where fail_reason is not null) as reasons`,
    );
    const repeats = (counted: Counted) => [...counted.byKey.values()].reduce((sum, times) => sum + times - 1, 0);
    const figures = {
      kills,
      atKill,
      secondsToDrain,
      drainedAfterSeconds: drained,
      retries,
      events: { total: events.total, contactCreated: events.created, undispatched: 0 },
      webhooks: { expected: contacts, distinct: receiver.byKey.size, lost: contacts - receiver.byKey.size, repeatsDroppedByWebhookId: repeats(receiver) },
      importRows: {
        expected: importRows,
        applied: imported.created + imported.updated + imported.skipped,
        created: imported.created,
        skipped: imported.skipped,
      },
      campaign: {
        recipients: contacts,
        distinctMails: smtp.byKey.size,
        lost: contacts + 1 - smtp.byKey.size,
        repeatsDroppedByMessageId: repeats(smtp),
        statuses: Object.fromEntries(recipients.map((row) => [row.status, row.count])),
      },
    };
    console.log(`crash figures: ${JSON.stringify(figures)}`);

    expect(secondsToDrain).toBeLessThan(drainLimitMs / 1000);
    expect(events.created).toBe(contacts);
    // Each event's handlers ran once (recorded per event and handler), so one delivery per event and endpoint.
    expect(await one<{ count: number }>('select count(*)::int as count from integrations_deliveries')).toEqual({ count: contacts });
    expect(receiver.byKey.size).toBe(contacts);
    expect(imported).toEqual({ processed_rows: importRows, created: importRows, updated: 0, skipped: 0, failed: 0, contacts: importRows });
    expect(figures.campaign.statuses).toEqual({ sent: contacts });
    // Every campaign mail once, and one more: the importer's "import finished" notification (a delivery job too).
    expect(smtp.byKey.size).toBe(contacts + 1);
    expect(smtp.recipients.size).toBe(contacts + 1);
    expect(smtp.recipients.has(owner.email)).toBe(true);
    // A repeat is only ever the one window a crash leaves (sent, not yet recorded): at most one per job running at a kill.
    expect(figures.webhooks.repeatsDroppedByWebhookId + figures.campaign.repeatsDroppedByMessageId).toBeLessThanOrEqual(kills * 20);
    expect(await worker.stop()).toBe(0);
    worker = undefined;
  }, 150_000);
});
