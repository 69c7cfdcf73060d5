import type { Cache } from '../cache/cache.js';
import { databaseRetryAfterSeconds } from '../db/database-errors.js';
import type { Database } from '../db/database.js';
import type { Jobs } from '../jobs/jobs.js';
import type { PlinthRouter } from './context.js';
import type { Metrics } from './metrics.js';

export type CheckState = 'up' | 'down' | 'idle';

export interface HealthReport {
  status: 'ok' | 'degraded';
  /** `listener`: the LISTEN connection that wakes a worker for new jobs (`idle` on API-only processes). */
  checks: { db: CheckState; cache: CheckState; jobs: CheckState; listener: CheckState };
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
  return { status, checks };
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
