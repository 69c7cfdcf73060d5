import { Reply, ServiceUnavailableError, Type, type FieldErrors } from '@plinth/sdk';
import type { Cache } from '../cache/cache.js';
import { databaseRetryAfterSeconds } from '../db/database-errors.js';
import type { Database } from '../db/database.js';
import type { Jobs } from '../jobs/jobs.js';
import type { PlinthRouter } from './context.js';
import type { Metrics } from './metrics.js';
import type { Readiness, ReadinessReport } from './readiness.js';
import { Exact } from './response-schemas.js';
import { defineRoute, type CoreRoute } from './route.js';

export type CheckState = 'up' | 'down' | 'idle';

export interface HealthReport {
  status: 'ok' | 'degraded';
  /**
   * `listener`: the LISTEN connection that wakes a worker for new jobs (`idle` on API-only processes). `replica`
   * (with `DATABASE_REPLICA_URL` only): `lagging` or `down` send read-only routes to the primary, so neither makes
   * the process `degraded`.
   */
  checks: { db: CheckState; cache: CheckState; jobs: CheckState; listener: CheckState; replica?: 'up' | 'lagging' | 'down' };
}

export interface HealthDeps {
  database: Database;
  cache: Cache;
  jobs: Jobs;
}

/** Checks the database, cache and job backend in parallel, each bounded by a short timeout. */
export async function checkHealth({ database, cache, jobs }: HealthDeps): Promise<HealthReport> {
  const [db, cacheUp] = await Promise.all([database.ping(1000), cache.ping(1000)]);
  const checks = { db: db ? 'up' : 'down', cache: cacheUp ? 'up' : 'down', jobs: jobs.state(), listener: jobs.listener() } as const;
  const status = Object.values(checks).includes('down') ? 'degraded' : 'ok';
  return { status, checks: database.replica ? { ...checks, replica: database.replica.status().state } : checks };
}

/**
 * `GET /health` — the envelope with `{ status, checks }`; 503 with
 * `code: service_unavailable` and `Retry-After` while the database is down. `GET /metrics` —
 * Prometheus text.
 */
export function mountOperationalRoutes(router: PlinthRouter, deps: HealthDeps, metrics: Metrics): void {
  router.get('/health', async (ctx) => {
    const report = await checkHealth(deps);
    const meta = { request_id: ctx.state.requestId };
    ctx.set('Cache-Control', 'no-store');
    if (report.checks.db === 'down') {
      ctx.status = 503;
      ctx.set('Retry-After', String(databaseRetryAfterSeconds));
      ctx.body = { success: false, code: 'service_unavailable', message: 'The database is unreachable', data: report, meta };
      return;
    }
    ctx.body = { success: true, data: report, meta };
  });
  router.get('/metrics', async (ctx) => {
    ctx.set('Content-Type', metrics.registry.contentType);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await metrics.registry.metrics();
  });
}

/** Probes and balancers read no cached answer; a probe never carries a tenant, so no `Vary` either. */
const noStore = { 'cache-control': 'no-store' };

/** How long a balancer should wait before asking a process that is not ready again. */
const notReadyRetryAfterSeconds = 5;

/**
 * `GET /health/live` and `GET /health/ready` (root paths: outside tenant routing and rate limits). Live is the
 * process answering, with no dependency checked, and stays 200 while it drains (the orchestrator must not kill a
 * process finishing its requests). Ready is 200 while the process should get traffic, 503 `service_unavailable`
 * with `Retry-After` before its boot finished, from the moment it begins to drain, and while a check fails: the
 * error's `errors` name each failing check with a generic reason (details are in the log).
 */
export function healthRoutes(readiness: Readiness): CoreRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/health/live',
      summary: 'Liveness: the process is serving (no dependency checked; 200 while it drains)',
      tag: 'health',
      public: true,
      root: true,
      schema: { response: Exact({ status: Type.Literal('alive') }) },
      errors: [],
      handler: () => Promise.resolve(Reply.ok({ status: 'alive' as const }).withHeaders(noStore)),
    }),
    defineRoute({
      method: 'GET',
      path: '/health/ready',
      summary: 'Readiness: database, Redis, job listener, storage and plugin checks; 503 while any fails, booting or draining',
      tag: 'health',
      public: true,
      root: true,
      schema: {
        response: Exact({
          status: Type.Literal('ready'),
          checks: Type.Record(Type.String(), Type.Union([Type.Literal('up'), Type.Literal('idle')]), {
            description: 'Each check by name (`database`, `redis`, `listener`, `storage`, `<plugin>.<check>`): `idle` is a listener with no jobs to run',
          }),
        }),
      },
      errors: [],
      async handler() {
        const report = await readiness.report();
        if (report.status !== 'ready') throw notReady(report);
        const checks = Object.fromEntries(Object.entries(report.checks).map(([name, outcome]) => [name, outcome.state as 'up' | 'idle']));
        return Reply.ok({ status: 'ready' as const, checks }).withHeaders(noStore);
      },
    }),
  ];
}

function notReady(report: ReadinessReport): ServiceUnavailableError {
  const failing: FieldErrors = {};
  for (const [name, outcome] of Object.entries(report.checks)) if (outcome.state === 'down') failing[name] = [outcome.reason ?? 'down'];
  const message =
    report.status === 'starting'
      ? 'The process is starting'
      : report.status === 'draining'
        ? 'The process is shutting down'
        : `Not ready: ${Object.keys(failing).join(', ')}`;
  if (report.status !== 'not_ready') failing.process = [report.status];
  return new ServiceUnavailableError(message, { retryAfterSeconds: notReadyRetryAfterSeconds, errors: failing, headers: { 'Cache-Control': 'no-store' } });
}
