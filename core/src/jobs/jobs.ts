import { PostgresBackend } from '@agendajs/postgres-backend';
import { Agenda, backoffStrategies, type Job } from 'agenda';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import type { Logger } from '../logger.js';

/** What a job handler receives. */
export interface JobRun<Data> {
  data: Data;
  /** Job id, stable across retries: use it to make handlers idempotent. */
  id: string;
  attempt: number;
  /** True for a recurring job (its next run is already scheduled). */
  repeating: boolean;
  /** Extends the job's lock; call it during long work. */
  touch(progress?: number): Promise<void>;
}

export interface JobDefinitionOptions {
  concurrency?: number;
  /** Attempts after the first failure (exponential backoff from 1 s); default 5. */
  maxRetries?: number;
  lockLifetimeMs?: number;
}

export interface JobCounters {
  onSucceeded(name: string): void;
  onFailed(name: string): void;
}

/**
 * Background jobs on agenda with its PostgreSQL backend, in the application's
 * database. Names are `<plugin>.<job>`; failures retry with exponential
 * backoff and stay visible in the jobs table with their reason.
 */
export interface Jobs {
  define<Data>(name: string, handler: (run: JobRun<Data>) => Promise<void>, options?: JobDefinitionOptions): void;
  /** Queues a job to run as soon as a worker is free. */
  enqueue<Data>(name: string, data: Data): Promise<string>;
  /** Queues a job to run at `when`. */
  schedule<Data>(when: Date, name: string, data: Data): Promise<string>;
  /** Repeats a job on a cron expression or interval; one schedule per `unique` match (e.g. `{ 'data.tenantId': id }`). */
  every<Data>(interval: string, name: string, data: Data, unique: Record<string, unknown>): Promise<string>;
  /** Removes queued and scheduled jobs of `name` whose data contains `data`; returns how many. */
  cancel(name: string, data?: Record<string, unknown>): Promise<number>;
  /** Processes jobs in this process (worker role). */
  start(): Promise<void>;
  /** Waits for running jobs up to the timeout, then releases the rest and closes. */
  stop(timeoutMs: number): Promise<void>;
  /** `up` when processing, `idle` when this process only enqueues, `down` when the backend failed. */
  state(): 'up' | 'idle' | 'down';
}

export interface JobsOptions {
  databaseUrl: string;
  logger: Logger;
  counters?: JobCounters;
  /** How often workers poll in addition to LISTEN/NOTIFY. */
  processEvery?: number;
}

export function createJobs(options: JobsOptions): Jobs {
  // agenda holds one connection for LISTEN; its own small pool keeps job traffic off the request pool.
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 4, application_name: 'plinth-jobs' });
  pool.on('error', (error) => options.logger.warn({ err: error }, 'job pool connection error'));
  let closed = false;
  const backend = new PostgresBackend({ pool, tableName: 'plinth_jobs', channelName: 'plinth_jobs', logTableName: 'plinth_job_logs' });
  // agenda calls connect() from its constructor without a catch: a database that is down at that moment
  // would be an unhandled rejection and a `ready` that never comes. Retry until it answers instead.
  const connect = backend.connect.bind(backend);
  backend.connect = async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await connect();
      } catch (error) {
        if (closed) return;
        options.logger.warn({ err: error, attempt }, 'job backend cannot reach the database; retrying');
        await delay(Math.min(5000, 250 * attempt));
      }
    }
  };
  const agenda = new Agenda({
    backend,
    processEvery: options.processEvery ?? 5000,
    defaultLockLifetime: 10 * 60_000,
  });
  let running = false;
  let failed = false;
  agenda.on('error', (error: Error) => {
    // After stop, agenda's notification poller may still touch the ended pool: that is shutdown, not a failure.
    if (closed) return;
    failed = true;
    options.logger.error({ err: error }, 'job backend error');
  });
  agenda.on('ready', () => {
    failed = false;
  });
  agenda.on('fail', (error: Error | string, job: { attrs: { name: string } }) => {
    options.counters?.onFailed(job.attrs.name);
    options.logger.warn({ job: job.attrs.name, err: error }, 'job failed');
  });
  agenda.on('success', (job: { attrs: { name: string } }) => options.counters?.onSucceeded(job.attrs.name));

  return {
    define(name, handler, definition = {}) {
      agenda.define(
        name,
        async (job: Job<unknown>) => {
          await handler({
            data: job.attrs.data as never,
            id: String(job.attrs._id),
            attempt: (job.attrs.failCount ?? 0) + 1,
            repeating: Boolean(job.attrs.repeatInterval),
            touch: async (progress) => {
              await job.touch(progress);
            },
          });
        },
        {
          concurrency: definition.concurrency ?? 5,
          lockLifetime: definition.lockLifetimeMs ?? 10 * 60_000,
          backoff: backoffStrategies.exponential({ delay: 1000, maxRetries: definition.maxRetries ?? 5 }),
        },
      );
    },
    async enqueue(name, data) {
      const job = await agenda.now(name, data);
      return String(job.attrs._id);
    },
    async schedule(when, name, data) {
      const job = await agenda.schedule(when, name, data);
      return String(job.attrs._id);
    },
    async every(interval, name, data, unique) {
      const job = agenda.create(name, data).unique(unique as never);
      job.repeatEvery(interval, { skipImmediate: true });
      await job.save();
      return String(job.attrs._id);
    },
    cancel: (name, data) => agenda.cancel({ name, ...(data ? { data } : {}) }),
    async start() {
      await agenda.start();
      running = true;
    },
    async stop(timeoutMs) {
      closed = true;
      if (running) await agenda.drain({ timeout: timeoutMs }).catch(() => undefined);
      await agenda.stop(false).catch(() => undefined);
      running = false;
      await pool.end().catch(() => undefined);
    },
    state: () => (failed ? 'down' : running ? 'up' : 'idle'),
  };
}
