import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renewDue } from '../../src/billing/renewals.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { startWorker, type WorkerProcess } from '../jobs/support/worker-process.js';
import { paidPlan, payOnPage } from './billing-helpers.js';

// A worker killed with SIGKILL in the middle of a renewal (its invoice written, the new period being written) leaves
// nothing behind, and the next worker renews once: exactly one invoice and one charge for the period. The worker is a
// separate `plinth start --role worker` process on the test database (run `npm run build -w @plinth/core` first).

const secrets = { PLINTH_JWT_SECRET: 'test-secret-test-secret-test-secret-0123', PLINTH_ENCRYPTION_KEY: 'test-encryption-key-test-encryption-key-0123' };

/** Polls `check` until it is true, or fails after `timeoutMs` naming what it waited for. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('billing: a worker killed mid-renewal', () => {
  let t: TestKernel;
  let owner: TestUser;
  let worker: WorkerProcess | undefined;
  let blocker: pg.Client;

  beforeAll(async () => {
    // This process serves the API only: the renewal runs in the worker processes.
    t = await createTestKernel({ env: { PLINTH_ROLE: 'api', ...secrets } });
    owner = await signUp(t, { tenant: true });
    const plan = await paidPlan(t, { prices: [{ currency: 'USD', interval: 'month', amount: 1500 }] });
    const chosen = await t.request('POST', '/api/v1/billing/subscription', { headers: owner.headers, body: { plan: plan.key } });
    expect((await payOnPage(t, chosen.body.data.checkout_url, '4242 4242 4242 4242')).status).toBe(303);
    blocker = new pg.Client({ connectionString: t.database.url });
    await blocker.connect();
  });
  afterAll(async () => {
    if (worker) await worker.kill();
    await blocker?.end().catch(() => undefined);
    await t?.close();
  });

  const renewals = () =>
    t.sql<{ status: string; total: number; amount_paid: number; attempt_count: number }>(
      "select status, total, amount_paid, attempt_count from billing_invoices where tenant_id = $1 and provider_invoice_id like 'renewal:%'",
      [owner.tenant!.id],
    );
  const waiting = async () =>
    (
      await t.sql<{ n: number }>(
        "select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like 'update tenants set billing_status%'",
      )
    )[0]!.n;
  const workerEnv = () => ({ DATABASE_URL: t.database.url, ...secrets, PLINTH_JOBS_POLL_MS: '100', PLINTH_JOBS_LOCK_MS: '3000' });

  it('rolls the killed renewal back whole, and the next worker renews exactly once', async () => {
    worker = await startWorker(workerEnv(), 60_000);
    // Hold the tenant row: the renewal writes its invoice and new period, then waits on `tenants.billing_status`.
    await blocker.query('begin');
    await blocker.query('select 1 from tenants where id = $1 for no key update', [owner.tenant!.id]);
    // The period ended a minute ago.
    await t.sql(
      "update tenant_subscriptions set current_period_start = now() - interval '1 month', current_period_end = now() - interval '1 minute' where tenant_id = $1",
      [owner.tenant!.id],
    );
    await t.kernel.services.jobs.enqueue('core.billing.renew', {});
    await until('the renewal waiting mid-way', async () => (await waiting()) > 0);
    await worker.kill();
    worker = undefined;
    await blocker.query('commit');
    // The killed worker's transaction ends with its connection: nothing of it is left.
    await until('the killed renewal rolled back', async () => (await waiting()) === 0);
    await until(
      'no transaction of the killed worker left',
      async () =>
        (
          await t.sql<{ n: number }>("select count(*)::int as n from pg_stat_activity where state like 'idle in transaction%' and datname = current_database()")
        )[0]!.n === 0,
    );
    expect(await renewals()).toEqual([]);

    worker = await startWorker(workerEnv(), 60_000).catch(async (error: Error) => {
      const activity = await t.sql(
        "select pid, state, wait_event_type, wait_event, left(query, 160) as query from pg_stat_activity where datname = current_database() and state <> 'idle'",
      );
      throw new Error(`${error.message}\n${JSON.stringify(activity, null, 1)}`);
    });
    await until('the renewal done by the next worker', async () => (await renewals()).some((invoice) => invoice.status === 'paid'), 60_000).catch(
      async (error: Error) => {
        const jobs = await t
          .sql("select name, locked_at, next_run_at, last_run_at, fail_reason from plinth_jobs where name like 'core.billing%'")
          .catch((e) => String(e));
        throw new Error(`${error.message}\n${worker?.output()}\n${JSON.stringify(jobs)}`);
      },
    );
    // Due no more: another run renews nothing.
    expect(await renewDue(t.kernel.services)).toBe(0);
    expect(await renewals()).toEqual([{ status: 'paid', total: 1500, amount_paid: 1500, attempt_count: 1 }]);
    const [subscription] = await t.sql<{ ahead: boolean }>(
      "select current_period_end > now() + interval '20 days' as ahead from tenant_subscriptions where tenant_id = $1",
      [owner.tenant!.id],
    );
    expect(subscription!.ahead).toBe(true);
  }, 240_000);
});
