import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { withTimeout } from '../util/timeout.js';

/**
 * Reads an `int8` (`bigint`, `count(*)`, `sum` of integers) as a JS number, which is exact only up to
 * 2^53 − 1: a value beyond that fails the query instead of coming back rounded. `numeric` keeps pg's
 * default, a string, and so does `int8[]` (docs/plugins/migrations-and-isolation.md has the table).
 */
export function parseInt8(text: string): number {
  const value = Number(text);
  if (Number.isSafeInteger(value)) return value;
  throw new RangeError(`bigint ${text} is beyond what a JavaScript number holds exactly (±${Number.MAX_SAFE_INTEGER}): select it as text (::text)`);
}

pg.types.setTypeParser(pg.types.builtins.INT8, parseInt8);

/** The application's database: one knex pool, used by core and (tenant-scoped) by plugins. */
export interface Database {
  readonly knex: Knex;
  /** True when `select 1` answers within the timeout. */
  ping(timeoutMs?: number): Promise<boolean>;
  /** Takes a raw connection from the pool; give it back with {@link release}. */
  acquire(): Promise<pg.Client>;
  /** Gives a connection back; with `broken` (the error that showed it dead), the pool drops it instead of handing it out again. */
  release(client: pg.Client, broken?: unknown): Promise<void>;
  /** Pool occupancy for metrics. */
  poolStats(): PoolStats;
  destroy(): Promise<void>;
}

export interface PoolStats {
  used: number;
  free: number;
  pending: number;
  max: number;
}

export interface DatabaseOptions {
  url: string;
  poolMax: number;
  /** Name shown in `pg_stat_activity`. */
  applicationName?: string;
  /** Receives knex's warnings and errors (a dropped connection, a pool error) instead of the console. */
  onLog?: (level: 'warn' | 'error', message: string) => void;
}

export function createDatabase(options: DatabaseOptions): Database {
  const knex = knexFactory({
    client: 'pg',
    // Pipeline mode: a statement is sent without waiting for the previous one's answer, so a tenant
    // transaction's preamble and first statement share one round trip (see LazyTransaction).
    connection: {
      connectionString: options.url,
      application_name: options.applicationName ?? 'plinth',
      connectionTimeoutMillis: 5000,
      pipeline: true,
    } as never,
    pool: { min: 0, max: options.poolMax, idleTimeoutMillis: 30_000 },
    acquireConnectionTimeout: 10_000,
    log: {
      warn: (message: unknown) => options.onLog?.('warn', String(message)),
      error: (message: unknown) => options.onLog?.('error', String(message)),
      deprecate: () => undefined,
      debug: () => undefined,
    },
  });
  return {
    knex,
    async ping(timeoutMs = 1000) {
      try {
        await withTimeout(knex.raw('select 1'), timeoutMs, 'database ping');
        return true;
      } catch {
        return false;
      }
    },
    acquire: () => knex.client.acquireConnection() as Promise<pg.Client>,
    release: async (client, broken) => {
      // knex marks a connection disposed on its 'error'/'end' events, which may not have arrived yet; its pool
      // validates on acquire and destroys a disposed one.
      if (broken !== undefined) (client as { __knex__disposed?: unknown }).__knex__disposed ??= broken;
      await knex.client.releaseConnection(client);
    },
    poolStats() {
      const pool = knex.client.pool as { numUsed(): number; numFree(): number; numPendingAcquires(): number } | undefined;
      return {
        used: pool?.numUsed() ?? 0,
        free: pool?.numFree() ?? 0,
        pending: pool?.numPendingAcquires() ?? 0,
        max: options.poolMax,
      };
    },
    destroy: () => knex.destroy(),
  };
}
