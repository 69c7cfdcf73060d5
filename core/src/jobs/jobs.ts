import { PostgresBackend, PostgresNotificationChannel } from '@agendajs/postgres-backend';
import type { JobPriority } from '@plinth/sdk';
import { Agenda, backoffStrategies, type Job } from 'agenda';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import type { Logger } from '../logger.js';
import { tracedJobRuns } from '../telemetry/spans.js';
import { withoutTrace, withTraceOf } from '../telemetry/tracing.js';

/** What a job handler receives. */
export interface JobRun<Data> {
  data: Data;
  /** Job id, stable across retries: use it to make handlers idempotent. */
  id: string;
  attempt: number;
  /** True for a recurring job (its next run is already scheduled). */
  repeating: boolean;
  /** Extends the job's lock and records progress (a heartbeat already extends it while the handler runs). */
  touch(progress?: number): Promise<void>;
}

export interface JobDefinitionOptions {
  concurrency?: number;
  /** Attempts after the first failure (exponential backoff from 1 s); default 5. */
  maxRetries?: number;
  /** How long the lock of a run outlives its worker's last heartbeat (default: the host's `jobsLockMs`). */
  lockLifetimeMs?: number;
  /** The priority of runs queued without one, in processes that define the job (default `normal`). */
  priority?: JobPriority;
}

/** How a run is queued: its priority, instead of its definition's. */
export interface QueueOptions {
  priority?: JobPriority;
}

/** agenda's numbers for the priority names: due jobs of a name are locked highest first. */
export const jobPriorities: Record<JobPriority, number> = { lowest: -20, low: -10, normal: 0, high: 10, highest: 20 };

export interface JobCounters {
  /** A run succeeded; `seconds`: how long it ran. */
  onSucceeded(name: string, seconds?: number): void;
  onFailed(name: string, seconds?: number): void;
  /** A job type this process defines (job metrics label only these names). */
  onDefined?(name: string): void;
}

/** How long a run took, from agenda's `lastRunAt` (set as it starts) to `lastFinishedAt` (set on success and on failure). */
const runSeconds = ({ attrs }: { attrs: { lastRunAt?: Date | null; lastFinishedAt?: Date | null } }) =>
  attrs.lastRunAt && attrs.lastFinishedAt ? (attrs.lastFinishedAt.getTime() - attrs.lastRunAt.getTime()) / 1000 : undefined;

/**
 * Background jobs on agenda with its PostgreSQL backend, in the application's
 * database. Names are `<plugin>.<job>`; failures retry with exponential
 * backoff and stay visible in the jobs table with their reason.
 *
 * Crash safety: a worker locks only the jobs it can run at once (lock limit =
 * concurrency), a heartbeat extends each running job's lock every third of its
 * lifetime, and a lock whose worker stopped beating (killed, frozen, cut off)
 * is taken over by any worker once the lifetime (15 s by default) has passed.
 * A job may therefore run again after a crash: handlers are idempotent, and
 * effects that leave the process go through `once` (see plugin-work.ts).
 */
export interface Jobs {
  define<Data>(name: string, handler: (run: JobRun<Data>) => Promise<void>, options?: JobDefinitionOptions): void;
  /** Queues a job to run as soon as a worker is free. */
  enqueue<Data>(name: string, data: Data, options?: QueueOptions): Promise<string>;
  /** Queues a job to run at `when`. */
  schedule<Data>(when: Date, name: string, data: Data, options?: QueueOptions): Promise<string>;
  /**
   * Repeats a job on a cron expression (read in `timeZone`, an IANA zone; UTC by default) or an interval; one
   * schedule per `unique` match (e.g. `{ 'data.tenantId': id }`).
   */
  every<Data>(interval: string, name: string, data: Data, unique: Record<string, unknown>, timeZone?: string): Promise<string>;
  /** The recurring jobs whose data contains `data`: name, interval (cron or interval) and data, as `every` saved them. */
  schedules(data: Record<string, unknown>): Promise<{ name: string; interval: string; data: unknown }[]>;
  /** Removes queued and scheduled jobs of `name` whose data contains `data`; returns how many. */
  cancel(name: string, data?: Record<string, unknown>): Promise<number>;
  /** Removes the queued and scheduled jobs of `name` whose data contains `data`, leaving those a worker has locked (running); returns how many. */
  discard(name: string, data: Record<string, unknown>): Promise<number>;
  /** Processes jobs in this process (worker role). */
  start(): Promise<void>;
  /** Waits for running jobs up to the timeout, then releases the rest and closes. */
  stop(timeoutMs: number): Promise<void>;
  /** `up` when processing, `idle` when this process only enqueues, `down` while the backend cannot reach the database. */
  state(): 'up' | 'idle' | 'down';
  /** The LISTEN connection that wakes this worker for new jobs: `up`, `down` (reconnecting; polling still runs), `idle` (not a worker). */
  listener(): 'up' | 'idle' | 'down';
  /** Of `values`, those with a job `name` whose `data[field]` equals it: `pending` when one is queued, scheduled or running, else `done`. */
  find(name: string, field: string, values: readonly string[]): Promise<Map<string, 'pending' | 'done'>>;
}

export interface JobsOptions {
  databaseUrl: string;
  logger: Logger;
  counters?: JobCounters;
  /** How often workers poll in addition to LISTEN/NOTIFY. */
  processEvery?: number;
  /** How long a running job's lock outlives the last heartbeat of its worker (default 15 s); heartbeats come every third of it. */
  lockLifetimeMs?: number;
  /** The host's overrides of job types' concurrency, `name=n` or `prefix.*=n` (`PLINTH_JOB_CONCURRENCY`). */
  concurrency?: readonly string[];
}

/**
 * The concurrency `overrides` (`name=n`, `prefix.*=n`) give the job `name`: an exact name first, then the longest
 * matching prefix; undefined when none matches.
 */
export function concurrencyOverride(overrides: readonly string[], name: string): number | undefined {
  let best: { length: number; runs: number } | undefined;
  for (const entry of overrides) {
    const [pattern = '', runs = ''] = entry.split('=');
    if (pattern === name) return Number(runs);
    const prefix = pattern.endsWith('.*') ? pattern.slice(0, -1) : undefined;
    if (prefix && name.startsWith(prefix) && (!best || prefix.length > best.length)) best = { length: prefix.length, runs: Number(runs) };
  }
  return best?.runs;
}

/** Default lock lifetime: a job whose worker died is taken over this long after its last heartbeat. */
export const defaultJobLockMs = 15_000;
/** Jobs one worker process runs at once, over all names; it never locks more than that. */
const maxConcurrency = 20;
/** Wait between attempts of the LISTEN connection to reconnect. */
const listenRetryMs = 1000;

/** What agenda 6.2.6 keeps private and {@link createJobs} drives: filling the local queue of one job name. */
interface AgendaProcessor {
  jobQueueFilling(name: string): Promise<void>;
  jobProcessing(): Promise<void>;
}

export function createJobs(options: JobsOptions): Jobs {
  const { logger } = options;
  const lockLifetimeMs = options.lockLifetimeMs ?? defaultJobLockMs;
  // agenda holds one connection for LISTEN; its own small pool keeps job traffic off the request pool. TCP
  // keepalive finds a LISTEN connection whose server vanished without a word (a cut network) within seconds.
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: 4,
    application_name: 'plinth-jobs',
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  pool.on('error', (error) => logger.warn({ err: error }, 'job pool connection error'));
  // The pool listens for errors of idle clients only: a client checked out when the database goes away would
  // otherwise emit 'error' with no listener, an uncaught exception. The query in flight still fails by itself.
  pool.on('connect', (client) => client.on('error', (error) => logger.warn({ err: error }, 'job pool connection lost')));
  let closed = false;
  // The channel is built here rather than by the backend so that its reconnection is ours to configure:
  // agenda's channel resets its attempt counter on every attempt, so its delay is always the initial one.
  const channel = new PostgresNotificationChannel({ pool, channelName: 'plinth_jobs', reconnect: { enabled: true, initialDelayMs: listenRetryMs } });
  let listenerDown = false;
  // Without a listener, an 'error' the channel emits while reconnecting would throw and end its retries.
  channel.on('error', (error: Error) => {
    if (closed || listenerDown) return;
    listenerDown = true;
    logger.warn({ err: error }, 'job listener lost its connection; reconnecting (jobs are still polled)');
  });
  channel.on('stateChange', (state: string) => {
    if (state !== 'connected') return;
    if (listenerDown) logger.info('job listener reconnected');
    listenerDown = false;
    // Jobs queued while it was away were announced to nobody: look for them now rather than at the next poll.
    fillAll();
  });
  const backend = new PostgresBackend({ pool, tableName: 'plinth_jobs', logTableName: 'plinth_job_logs', disableNotifications: true });
  // agenda gives back a job it locked one too many (two fills racing for the last slot) with unlockJob, which
  // only unlocks jobs that have a next run. A job taken over from a dead worker has none (agenda cleared it when
  // the run began), so it stayed locked for another lifetime. Give it back due now instead; only this lock.
  backend.repository.unlockJob = async (job) => {
    if (!job._id || !job.lockedAt) return;
    await pool.query('update plinth_jobs set locked_at = null, next_run_at = coalesce(next_run_at, now()) where id = $1 and locked_at = $2', [
      String(job._id),
      job.lockedAt,
    ]);
  };
  // agenda locks the due job of a name with the earliest run time first, priority only breaking ties: a high
  // priority run queued after a backlog would wait for all of it. Among the jobs due now, lock the highest priority
  // first (then the earliest); jobs due later in the scan window, and locks taken over from dead workers, as agenda does.
  const repository = backend.repository as unknown as { rowToJob(row: unknown): Awaited<ReturnType<typeof backend.repository.getNextJobToRun>> };
  backend.repository.getNextJobToRun = async (jobName, nextScanAt, lockDeadline, now, lockOptions) => {
    const { rows } = await pool.query(
      `update plinth_jobs set locked_at = $1, last_modified_by = $5 where id = (
         select id from plinth_jobs
          where name = $2 and disabled = false and ((locked_at is null and next_run_at <= $3) or locked_at <= $4)
          order by coalesce(next_run_at <= $1, true) desc, priority desc, next_run_at nulls first
          limit 1 for update skip locked)
       returning *`,
      [now ?? new Date(), jobName, nextScanAt, lockDeadline, lockOptions?.lastModifiedBy ?? null],
    );
    return rows[0] ? repository.rowToJob(rows[0]) : undefined;
  };
  // agenda calls connect() from its constructor without a catch: a database that is down at that moment
  // would be an unhandled rejection and a `ready` that never comes. Retry until it answers instead.
  const connect = backend.connect.bind(backend);
  backend.connect = async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await connect();
      } catch (error) {
        if (closed) return;
        logger.warn({ err: error, attempt }, 'job backend cannot reach the database; retrying');
        await delay(Math.min(5000, 250 * attempt));
      }
    }
  };
  const agenda = new Agenda({
    backend,
    notificationChannel: channel,
    processEvery: options.processEvery ?? 5000,
    defaultLockLifetime: lockLifetimeMs,
    maxConcurrency,
    // Never more locked than can run: a killed worker strands only the jobs it was running.
    lockLimit: maxConcurrency,
  });
  let running = false;
  let failed = false;
  let probing = false;
  /** After a backend error, checks the database every second until it answers: `state()` is `down` meanwhile. */
  const probe = async () => {
    if (probing) return;
    probing = true;
    while (failed && !closed) {
      await delay(1000);
      if (
        await pool.query('select 1').then(
          () => true,
          () => false,
        )
      )
        failed = false;
    }
    probing = false;
  };
  agenda.on('error', (error: Error) => {
    // After stop, agenda's notification poller may still touch the ended pool: that is shutdown, not a failure.
    if (closed) return;
    failed = true;
    void probe();
    logger.error({ err: error }, 'job backend error');
  });
  agenda.on('ready', () => {
    failed = false;
  });
  agenda.on('fail', (error: Error | string, job: Job<unknown>) => {
    options.counters?.onFailed(job.attrs.name, runSeconds(job));
    logger.warn({ job: job.attrs.name, err: error }, 'job failed');
  });
  agenda.on('success', (job: Job<unknown>) => options.counters?.onSucceeded(job.attrs.name, runSeconds(job)));
  // The last retry failed: the job is dead (see job-states.ts) and waits for a host administrator.
  agenda.on('retry exhausted', (error: Error, job: { attrs: { _id?: unknown; name: string; failCount?: number | null } }) => {
    logger.error({ job: job.attrs.name, jobId: String(job.attrs._id), attempts: job.attrs.failCount, err: error }, 'job dead: its retries are used up');
  });

  // With a lock limit, agenda locks the next job of a name only when it polls or hears of a new job; a backlog
  // would drain at one lock limit per poll. Once a job is done (and its slot freed, which agenda does in the
  // same turn), look for the next one of its name at once.
  const processor = () => (agenda as unknown as { jobProcessor?: AgendaProcessor }).jobProcessor;
  const fill = (name: string) => {
    const current = processor();
    if (!current || closed) return;
    current
      .jobQueueFilling(name)
      .then(() => current.jobProcessing())
      .catch((error: unknown) => logger.warn({ err: error, job: name }, 'could not look for the next job'));
  };
  const fillAll = () => {
    for (const name of Object.keys(agenda.definitions)) fill(name);
  };
  agenda.on('complete', (job: { attrs: { name: string } }) => setImmediate(() => fill(job.attrs.name)));
  // A worker restarted after a crash finds its predecessor's jobs still locked: it looks for them again the
  // moment their locks expire (to the second), rather than at the first poll after that.
  const takeOverWhenExpired = async () => {
    const { rows } = await pool.query<{ name: string; second: Date }>(
      `select distinct name, date_trunc('second', locked_at) as second from plinth_jobs where locked_at is not null order by 2 limit 1000`,
    );
    for (const { name, second } of rows) {
      const definition = agenda.definitions[name];
      if (!definition) continue;
      const wait = second.getTime() + 1000 + definition.lockLifetime - Date.now();
      setTimeout(() => fill(name), Math.max(0, wait)).unref();
    }
  };

  // agenda announces a new job on its channel only when that is connected, which it is in workers alone: an
  // API process (or a worker whose listener is reconnecting) would leave workers to find the job at their next
  // poll. Announce it then with the same payload agenda sends, on the pool.
  const announce = async (job: Job<unknown>) => {
    if (channel.state === 'connected') return;
    const payload = JSON.stringify({
      jobId: String(job.attrs._id),
      jobName: job.attrs.name,
      nextRunAt: job.attrs.nextRunAt?.toISOString() ?? null,
      priority: job.attrs.priority,
      timestamp: new Date().toISOString(),
    });
    await pool.query('select pg_notify($1, $2)', ['plinth_jobs', payload]).catch((error: unknown) => logger.debug({ err: error }, 'new job not announced'));
  };

  return {
    define(name, handler, definition = {}) {
      options.counters?.onDefined?.(name);
      const lifetime = definition.lockLifetimeMs ?? lockLifetimeMs;
      const concurrency = concurrencyOverride(options.concurrency ?? [], name) ?? definition.concurrency ?? 5;
      agenda.define(
        name,
        tracedJobRuns(name, async (job: Job<unknown>) => {
          // The heartbeat: a running job keeps its lock however long it runs; it stops before agenda records
          // the outcome, so a late beat never re-locks a finished job.
          let beating: Promise<void> = Promise.resolve();
          const heartbeat = setInterval(() => {
            beating = job.touch(job.attrs.progress).catch((error: unknown) => logger.warn({ err: error, job: name }, 'job heartbeat failed'));
          }, lifetime / 3);
          try {
            await handler({
              data: withoutTrace(job.attrs.data) as never,
              id: String(job.attrs._id),
              attempt: (job.attrs.failCount ?? 0) + 1,
              repeating: Boolean(job.attrs.repeatInterval),
              touch: async (progress) => {
                await job.touch(progress);
              },
            });
          } finally {
            clearInterval(heartbeat);
            await beating;
          }
        }),
        {
          concurrency,
          lockLimit: concurrency,
          lockLifetime: lifetime,
          ...(definition.priority ? { priority: definition.priority } : {}),
          backoff: backoffStrategies.exponential({ delay: 1000, maxRetries: definition.maxRetries ?? 5 }),
        },
      );
    },
    async enqueue(name, data, queue = {}) {
      const job = agenda.create(name, withTraceOf(data));
      if (queue.priority) job.priority(queue.priority);
      await job.schedule(new Date()).save();
      await announce(job);
      return String(job.attrs._id);
    },
    async schedule(when, name, data, queue = {}) {
      const job = agenda.create(name, withTraceOf(data));
      if (queue.priority) job.priority(queue.priority);
      await job.schedule(when).save();
      await announce(job);
      return String(job.attrs._id);
    },
    async every(interval, name, data, unique, timeZone) {
      const job = agenda.create(name, data).unique(unique as never);
      job.repeatEvery(interval, { skipImmediate: true, ...(timeZone ? { timezone: timeZone } : {}) });
      await job.save();
      return String(job.attrs._id);
    },
    cancel: (name, data) => agenda.cancel({ name, ...(data ? { data } : {}) }),
    async schedules(data) {
      const { rows } = await pool.query<{ name: string; interval: string; data: unknown }>(
        'select name, repeat_interval as interval, data from plinth_jobs where repeat_interval is not null and data @> $1::jsonb',
        [JSON.stringify(data)],
      );
      return rows;
    },
    // A locked job is left alone: agenda, which holds it, would fail saving the outcome of a row that is gone.
    async discard(name, data) {
      const result = await pool.query('delete from plinth_jobs where name = $1 and data @> $2::jsonb and locked_at is null', [name, JSON.stringify(data)]);
      return result.rowCount ?? 0;
    },
    async start() {
      await agenda.start();
      running = true;
      await takeOverWhenExpired().catch((error: unknown) => logger.warn({ err: error }, 'could not look for jobs locked by a stopped worker'));
    },
    async stop(timeoutMs) {
      closed = true;
      if (running) await agenda.drain({ timeout: timeoutMs }).catch(() => undefined);
      await agenda.stop(false).catch(() => undefined);
      running = false;
      await pool.end().catch(() => undefined);
    },
    state: () => (failed ? 'down' : running ? 'up' : 'idle'),
    listener: () => (!running ? 'idle' : channel.state === 'connected' ? 'up' : 'down'),
    async find(name, field, values) {
      if (values.length === 0) return new Map();
      const { rows } = await pool.query<{ value: string; pending: boolean }>(
        `select data->>$2 as value, bool_or(next_run_at is not null or locked_at is not null) as pending from plinth_jobs
          where name = $1 and data->>$2 = any($3::text[]) group by 1`,
        [name, field, values],
      );
      return new Map(rows.map((row) => [row.value, row.pending ? 'pending' : 'done']));
    },
  };
}
