import { createHash } from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { withTimeout } from '../util/timeout.js';
import { Replica } from './replica.js';

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
  /**
   * Takes a connection from the pool in the session's own role with no tenant set, as knex and ad-hoc SQL expect
   * (a connection a tenant transaction left scoped is reset first); give it back with {@link release}.
   */
  acquire(): Promise<pg.Client>;
  /**
   * Takes a connection as the pool holds it, whatever scope its session keeps ({@link sessionScopes}): for
   * `LazyTransaction` alone, which sets the scope it needs (docs/adr/0006-tenant-scope-per-connection.md).
   */
  acquireAnyScope(): Promise<pg.Client>;
  /** The tenant and role each pooled connection's session holds. */
  readonly sessionScopes: SessionScopes;
  /** Gives a connection back; with `broken` (the error that showed it dead), the pool drops it instead of handing it out again. */
  release(client: pg.Client, broken?: unknown): Promise<void>;
  /** Which statement texts go out as named prepared statements, per connection. */
  readonly statements: StatementNames;
  /** Pool occupancy for metrics. */
  poolStats(): PoolStats;
  /** The streaming replica read-only routes read from (`DATABASE_REPLICA_URL`), with its own pool; undefined without one. */
  readonly replica?: Replica;
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
  /** A streaming replica of `url` (docs/adr/0013-read-replicas.md): a pool of its own, of `poolMax` connections, probed for lag. */
  replica?: { url: string; maxLagMs: number };
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
  const sessionScopes = new SessionScopes();
  const acquireAnyScope = knex.client.acquireConnection.bind(knex.client) as () => Promise<pg.Client>;
  const release = async (client: pg.Client, broken?: unknown) => {
    // knex marks a connection disposed on its 'error'/'end' events, which may not have arrived yet; its pool
    // validates on acquire and destroys a disposed one.
    if (broken !== undefined) (client as { __knex__disposed?: unknown }).__knex__disposed ??= broken;
    await knex.client.releaseConnection(client);
  };
  /** What knex itself runs (migrations, the host's own queries) gets a connection reset to the session's role. */
  const acquire = async (): Promise<pg.Client> => {
    const client = await acquireAnyScope();
    if (!sessionScopes.scoped(client)) return client;
    try {
      await client.query(resetScope);
    } catch (error) {
      await release(client, error);
      throw error;
    }
    sessionScopes.clear(client);
    return client;
  };
  knex.client.acquireConnection = acquire;
  const replica = options.replica ? createReplica(options, knex, options.replica) : undefined;
  return {
    knex,
    ...(replica ? { replica } : {}),
    statements: new StatementNames(),
    sessionScopes,
    async ping(timeoutMs = 1000) {
      try {
        await withTimeout(knex.raw('select 1'), timeoutMs, 'database ping');
        return true;
      } catch {
        return false;
      }
    },
    acquire,
    acquireAnyScope,
    release,
    poolStats() {
      const pool = knex.client.pool as { numUsed(): number; numFree(): number; numPendingAcquires(): number } | undefined;
      return {
        used: pool?.numUsed() ?? 0,
        free: pool?.numFree() ?? 0,
        pending: pool?.numPendingAcquires() ?? 0,
        max: options.poolMax,
      };
    },
    destroy: async () => {
      await replica?.close();
      await knex.destroy();
    },
  };
}

/** The replica's pool (its connections named `<application name>-replica`), probing from now on. */
function createReplica(options: DatabaseOptions, primary: Knex, replica: { url: string; maxLagMs: number }): Replica {
  const pool = createDatabase({
    url: replica.url,
    poolMax: options.poolMax,
    applicationName: `${options.applicationName ?? 'plinth'}-replica`,
    onLog: options.onLog,
  });
  const created = new Replica(pool, {
    maxLagMs: replica.maxLagMs,
    primaryLsn: async () => (await primary.raw<{ rows: { lsn: string }[] }>('select pg_current_wal_lsn()::text as lsn')).rows[0]!.lsn,
    onLog: options.onLog,
  });
  created.start();
  return created;
}

/** Back to the session user, no tenant: what a connection is when the pool opens it. */
const resetScope =
  "select set_config('role', 'none', false), set_config('app.tenant_id', '', false), set_config('app.unit_scope', '', false), set_config('default_transaction_read_only', 'off', false)";

/**
 * The scope (role and tenant) each pooled connection's session holds, as `LazyTransaction` left it: a
 * transaction whose scope the connection already holds sends no statement to set it
 * (docs/adr/0006-tenant-scope-per-connection.md). A connection the map does not know is as the pool opened it.
 * Only `LazyTransaction` changes a session's scope, inside its transaction, and records the change once the
 * commit has succeeded; a rollback leaves the session as it was, and so the record.
 */
export class SessionScopes {
  private readonly scopes = new WeakMap<pg.Client, string>();

  /** The scope `client`'s session holds (`<role>:<tenant id or empty>`), or undefined: its own role, no tenant. */
  of(client: pg.Client): string | undefined {
    return this.scopes.get(client);
  }

  scoped(client: pg.Client): boolean {
    return this.scopes.has(client);
  }

  /** Records that `client`'s session now holds `scope` (its transaction that set it has committed). */
  record(client: pg.Client, scope: string): void {
    this.scopes.set(client, scope);
  }

  clear(client: pg.Client): void {
    this.scopes.delete(client);
  }
}

/**
 * Sends `config` on `client`, as `client.query(config)` does, without the copy pg makes of a config object first (a
 * generic copy through property descriptors: about as much CPU as the rest of the driver's work on a read by id). An
 * error's stack leads back to the caller, as pg's own does.
 */
export function submit<Row extends pg.QueryResultRow = pg.QueryResultRow>(client: pg.Client, config: pg.QueryConfig): Promise<pg.QueryResult<Row>> {
  const sent = new Promise<pg.QueryResult<Row>>((resolve, reject) => {
    const query = new pg.Query(config.text, config.values, (error: Error | undefined, result: unknown) =>
      error ? reject(error) : resolve(result as pg.QueryResult<Row>),
    );
    if (config.name !== undefined) (query as unknown as { name: string }).name = config.name;
    client.query(query);
  });
  return sent.catch((error: unknown) => {
    if (error instanceof Error) Error.captureStackTrace(error);
    throw error;
  });
}

/** What `pg` keeps on a connection about the named statements it parsed (private fields, pinned by core/test/db/one-round-trip.test.ts). */
interface PgConnectionStatements {
  parsedStatements: Record<string, string>;
}

/**
 * Names the SQL that repeats, so that PostgreSQL parses it once per connection instead of on every request,
 * and may plan it once (docs/adr/0005-plugin-sql-statements.md). A text is named from its second sighting on
 * (texts built with literals in them, seen once, stay unnamed), under a name derived from its hash, and only
 * where the extended protocol runs it as before: with parameters, or without a `;` (several statements in one
 * text run as a simple query). A statement with an array parameter stays unnamed: after five runs PostgreSQL
 * may plan a named statement once for any parameters, and such a plan assumes an array of about ten elements
 * (a CSV import of 5,000-row batches slowed down with every batch). Each connection keeps at most
 * `perConnection` names; past that, the least recently used are deallocated before the connection's next
 * transaction begins, the only moment nothing is in flight on it. A name holds no tenant state: the tenant and
 * role are settings of the session, read when the statement runs.
 */
export class StatementNames {
  /** Texts seen once lately, over all connections, the oldest first. */
  private readonly seen = new Map<string, true>();
  private readonly connections = new WeakMap<pg.Client, ConnectionStatements>();

  constructor(
    private readonly perConnection = 256,
    private readonly seenLimit = 1024,
  ) {}

  /** `config`, named when its text repeats and the connection may keep one more name. */
  named(client: pg.Client, config: pg.QueryConfig): pg.QueryConfig {
    const { text } = config;
    if (config.name !== undefined || (!config.values?.length && text.includes(';')) || config.values?.some(Array.isArray)) return config;
    const statements = this.of(client);
    let name = statements.named.get(text);
    if (name === undefined) {
      if (!this.seen.has(text)) {
        this.seen.set(text, true);
        if (this.seen.size > this.seenLimit) this.seen.delete(this.seen.keys().next().value!);
        return config;
      }
      name = `plinth_${createHash('sha1').update(text).digest('hex')}`;
      if (statements.dropping.has(name)) return config;
      statements.named.set(text, name);
    } else if (statements.named.size >= this.perConnection) {
      // Moved to the end, the most recently used, only when a name may have to go: below the bound, order is unused.
      statements.named.delete(text);
      statements.named.set(text, name);
    }
    return { ...config, name };
  }

  /**
   * Gives up `name` on `client` (its cached plan no longer fits the schema): sent unnamed until the
   * deallocation, which goes out before the connection's next transaction.
   */
  forget(client: pg.Client, config: pg.QueryConfig): void {
    const statements = this.of(client);
    if (config.name === undefined || statements.named.get(config.text) !== config.name) return;
    statements.named.delete(config.text);
    statements.dropping.add(config.name);
  }

  /**
   * The `deallocate` statements to send on `client` before its next transaction, for the names forgotten or
   * past the bound; nothing may be in flight on the connection.
   */
  drops(client: pg.Client): pg.QueryConfig[] {
    const statements = this.of(client);
    for (const [text, name] of statements.named) {
      if (statements.named.size <= this.perConnection) break;
      statements.named.delete(text);
      statements.dropping.add(name);
    }
    if (statements.dropping.size === 0) return [];
    const parsed = (client as unknown as { connection: PgConnectionStatements }).connection.parsedStatements;
    const drops: pg.QueryConfig[] = [];
    for (const name of statements.dropping) {
      // Never parsed (its Parse failed): nothing to deallocate on the server.
      if (parsed[name] !== undefined) drops.push({ text: `deallocate "${name}"` });
      delete parsed[name];
    }
    statements.dropping.clear();
    return drops;
  }

  private of(client: pg.Client): ConnectionStatements {
    let statements = this.connections.get(client);
    if (!statements) this.connections.set(client, (statements = { named: new Map(), dropping: new Set() }));
    return statements;
  }
}

interface ConnectionStatements {
  /** Text to name, the least recently used first. */
  readonly named: Map<string, string>;
  /** Names to deallocate before the next transaction; not used until then. */
  readonly dropping: Set<string>;
}
