import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PoolStats } from '../db/database.js';
import type { PlinthContext } from './context.js';
import { createJobMetrics, type JobStatsRow } from '../metrics/job-metrics.js';

/** The kernel's Prometheus registry (one per kernel, so several kernels can share a process). */
export interface Metrics {
  registry: Registry;
  /** Counts an answered request and observes its duration, by method, matched route and status. */
  observeRequest(ctx: PlinthContext, startedMs: number): void;
  /** A job run succeeded (`seconds`: how long it ran). */
  jobSucceeded(name: string, seconds?: number): void;
  jobFailed(name: string, seconds?: number): void;
  /** A job type this process defines: job metrics label these names (others as `other`). */
  jobDefined(name: string): void;
  pluginFailed(plugin: string, kind: string): void;
}

export interface MetricsOptions {
  /** Job counts by name and state, read at scrape time (core/src/metrics/job-metrics.ts). */
  jobStats?: () => Promise<JobStatsRow[]>;
  /** Receives what failed while collecting (the job counts query): the scrape answers without those values. */
  onCollectError?: (error: unknown) => void;
}

export function createMetrics(poolStats: () => PoolStats | undefined, options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'plinth_' });
  const requests = new Counter({
    name: 'plinth_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'plinth_http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  new Gauge({
    name: 'plinth_db_pool_connections',
    help: 'Application database pool connections by state',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const stats = poolStats();
      if (!stats) return;
      this.set({ state: 'used' }, stats.used);
      this.set({ state: 'free' }, stats.free);
      this.set({ state: 'pending' }, stats.pending);
      this.set({ state: 'max' }, stats.max);
    },
  });
  const jobs = new Counter({
    name: 'plinth_jobs_total',
    help: 'Jobs finished by name and outcome',
    labelNames: ['name', 'outcome'] as const,
    registers: [registry],
  });

  const jobMetrics = createJobMetrics(registry, options.jobStats, options.onCollectError ?? (() => undefined));

  const pluginFailures = new Counter({
    name: 'plinth_plugin_failures_total',
    help: 'Exceptions thrown by plugins, by plugin and where (route, hook, event, job)',
    labelNames: ['plugin', 'kind'] as const,
    registers: [registry],
  });

  // Label children are looked up once per (method, route, status): hashing labels on every request is measurable.
  const children = new Map<string, { count: Counter.Internal; time: Histogram.Internal<string> }>();
  const childFor = (method: string, route: string, status: string) => {
    const key = `${method} ${route} ${status}`;
    let child = children.get(key);
    if (!child) {
      child = { count: requests.labels(method, route, status), time: durations.labels(method, route, status) };
      children.set(key, child);
    }
    return child;
  };

  return {
    registry,
    observeRequest(ctx, startedMs) {
      const child = childFor(ctx.method, (ctx as { _matchedRoute?: string })._matchedRoute ?? 'unmatched', String(ctx.status));
      child.count.inc();
      child.time.observe((performance.now() - startedMs) / 1000);
    },
    jobSucceeded(name, seconds) {
      jobs.inc({ name, outcome: 'succeeded' });
      jobMetrics.finished(name, 'succeeded', seconds);
    },
    jobFailed(name, seconds) {
      jobs.inc({ name, outcome: 'failed' });
      jobMetrics.finished(name, 'failed', seconds);
    },
    jobDefined: (name) => jobMetrics.defined(name),
    pluginFailed: (plugin, kind) => pluginFailures.inc({ plugin, kind }),
  };
}
