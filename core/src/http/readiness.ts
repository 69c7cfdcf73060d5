import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readinessTimeoutMs, type Plugin, type ReadinessCheck } from '@plinth/sdk';
import { parseStorageUrl } from '../files/create-storage.js';
import type { KernelServices } from '../kernel.js';
import { PluginError } from '../plugins/plugin-registry.js';
import { withTimeout } from '../util/timeout.js';

/** A check's state: `idle` is fine (the job listener of an API-only process, which runs no jobs). */
export type ReadyState = 'up' | 'down' | 'idle';

/** One check's outcome; `reason` is generic (never a host name or an error message) and only on `down`. */
export interface CheckOutcome {
  state: ReadyState;
  reason?: string;
}

/**
 * What `GET /health/ready` answers: `starting` before the boot finished, `draining` once shutdown began, else
 * `ready` or `not_ready` from the checks (`database`, `redis` when configured, `listener`, `storage`, and each
 * plugin check as `<plugin>.<name>`).
 */
export interface ReadinessReport {
  status: 'ready' | 'not_ready' | 'starting' | 'draining';
  checks: Record<string, CheckOutcome>;
}

/** The process's readiness to take traffic, for `/health/ready`; the kernel tells it when boot ends and drain begins. */
export interface Readiness {
  /** Builds the plugins' checks (a bad one stops the boot, naming the plugin); from now on the checks decide. */
  ready(): void;
  /** Shutdown began: not ready from now on, whatever the checks say (a balancer stops sending new requests). */
  draining(): void;
  report(): Promise<ReadinessReport>;
}

/** Core's own checks are cheap; each has this long. */
const coreCheckMs = 1000;
/** The first S3 check loads the AWS SDK (see `create-storage.ts`), which takes seconds on a busy machine. */
const firstS3CheckMs = 10_000;
/** Probes arriving within this long of a finished run share its result: a probe storm costs one run per second. */
const reuseMs = 1000;
const checkName = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** A check's outcome as it runs: the error, when there is one, is for the log. */
type Outcome = CheckOutcome & { error?: unknown };

interface NamedCheck {
  name: string;
  run(): Promise<Outcome>;
}

/**
 * The readiness of this process. `services` is read when the boot ends (the kernel builds them after its routes).
 * Checks run in parallel, each bounded by a timeout; concurrent probes share one run, and a run's result serves
 * the probes of the next second. Failures are logged with their details, once per change of state.
 */
export function createReadiness(services: () => KernelServices): Readiness {
  let phase: 'starting' | 'ready' | 'draining' = 'starting';
  let checks: NamedCheck[] = [];
  let running: Promise<ReadinessReport> | undefined;
  let last: { at: number; report: ReadinessReport } | undefined;
  const lastStates = new Map<string, ReadyState>();

  const runChecks = async (): Promise<ReadinessReport> => {
    const outcomes = await Promise.all(checks.map(async (check) => [check.name, await check.run()] as const));
    const report: ReadinessReport = { status: 'ready', checks: {} };
    const { logger } = services();
    for (const [name, { error, ...outcome }] of outcomes) {
      report.checks[name] = outcome;
      if (outcome.state === 'down') report.status = 'not_ready';
      const before = lastStates.get(name);
      if (outcome.state === 'down' && before !== 'down') logger.warn({ check: name, reason: outcome.reason, err: error }, `readiness check ${name} is down`);
      if (outcome.state !== 'down' && before === 'down') logger.info({ check: name }, `readiness check ${name} is up again`);
      lastStates.set(name, outcome.state);
    }
    return report;
  };

  const readiness: Readiness = {
    ready() {
      checks = buildChecks(services());
      // A stop that began during the boot keeps the process draining.
      if (phase === 'starting') phase = 'ready';
      // A first run now, so the first probe finds connections open and modules loaded (its result is logged if down).
      if (services().config.role !== 'worker') void readiness.report();
    },
    draining() {
      phase = 'draining';
    },
    async report() {
      if (phase !== 'ready') return { status: phase, checks: {} };
      if (last && performance.now() - last.at < reuseMs) return last.report;
      running ??= runChecks().finally(() => (running = undefined));
      const report = await running;
      last = { at: performance.now(), report };
      // Drain may have begun while the checks ran.
      return phase === 'ready' ? report : { status: phase, checks: {} };
    },
  };
  return readiness;
}

const failed = (reason: string, error?: unknown): Outcome => ({ state: 'down', reason, error });

/** Core's checks for this process, then each plugin's. */
function buildChecks(services: KernelServices): NamedCheck[] {
  const { config, database, cache, jobs, storage } = services;
  const checks: NamedCheck[] = [{ name: 'database', run: async () => ((await database.ping(coreCheckMs)) ? { state: 'up' } : failed('unreachable')) }];
  if (cache.kind === 'redis') {
    checks.push({ name: 'redis', run: async () => ((await cache.ping(coreCheckMs)) ? { state: 'up' } : failed('unreachable')) });
  }
  checks.push({
    name: 'listener',
    run: async () => {
      const state = jobs.listener();
      return state === 'down' ? failed('reconnecting') : { state };
    },
  });
  const target = parseStorageUrl(config.storageUrl, config.dataDir);
  let s3Loaded = false;
  const probeStorage =
    target.kind === 'local'
      ? () => withTimeout(probeFolder(target.root), coreCheckMs, 'storage check')
      : // A HEAD of an object that is not there: the bucket's server answers, with our credentials accepted.
        async () => {
          try {
            await withTimeout(storage.head('plinth-ready-probe'), s3Loaded ? coreCheckMs : firstS3CheckMs, 'storage check');
          } finally {
            s3Loaded = true;
          }
        };
  checks.push({
    name: 'storage',
    run: () =>
      probeStorage().then(
        (): Outcome => ({ state: 'up' }),
        (error: unknown) => failed(target.kind === 'local' ? 'not writable' : 'unreachable', error),
      ),
  });
  for (const plugin of services.plugins.plugins) checks.push(...pluginChecks(plugin, services));
  return checks;
}

/** Writes and removes a small file in the folder's temporary area (as a put would), creating it if need be. */
async function probeFolder(root: string): Promise<void> {
  // The local store's temporary folder: no object key can name it, so the probe never meets a stored file.
  const folder = path.join(root, '.tmp');
  await mkdir(folder, { recursive: true });
  const probe = path.join(folder, `ready-${process.pid}`);
  await writeFile(probe, 'ok');
  await rm(probe, { force: true });
}

/** A plugin's readiness checks as `<plugin>.<name>`, each bounded by `readinessTimeoutMs` and aborted at it. */
function pluginChecks(plugin: Plugin, services: KernelServices): NamedCheck[] {
  if (!plugin.readiness) return [];
  const logger = services.logger.child({ plugin: plugin.name });
  const defined: readonly ReadinessCheck[] = plugin.readiness({ logger, http: services.httpClient, clock: services.clock, secrets: services.secretBox });
  const seen = new Set<string>();
  return defined.map((check) => {
    if (!checkName.test(check.name) || seen.has(check.name)) {
      throw new PluginError(`plugin \`${plugin.name}\`: readiness check ${JSON.stringify(check.name)} must be kebab-case and unique within the plugin`);
    }
    seen.add(check.name);
    const name = `${plugin.name}.${check.name}`;
    return {
      name,
      async run() {
        const controller = new AbortController();
        try {
          await withTimeout(
            Promise.resolve().then(() => check.check({ signal: controller.signal })),
            readinessTimeoutMs,
            `readiness check ${name}`,
          );
          return { state: 'up' };
        } catch (error) {
          controller.abort();
          return failed((error as Error | undefined)?.name === 'TimeoutError' ? 'timed out' : 'failed', error);
        }
      },
    };
  });
}
