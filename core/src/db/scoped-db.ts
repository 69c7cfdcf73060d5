import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type pg from 'pg';
import { submit, type Database } from './database.js';
import { endedBeforeRunning, isConnectionError } from './database-errors.js';
import { readOnlyRefusal } from './replica.js';
import { statementSpan } from '../telemetry/spans.js';
import { tracing } from '../telemetry/tracing.js';

/**
 * A database handle bound to one transaction in a role and tenant (kept by the
 * pooled connection's session between transactions, set when it differs): tenant work sees only its tenant's rows (Row Level Security
 * on `app.tenant_id`, role `plinth_app`); the system path (role
 * `plinth_system`) is explicit and used by core alone.
 */
export interface ScopedDb {
  /**
   * Runs SQL with `$1` parameters and returns the rows. A text that repeats goes out as a named prepared
   * statement, parsed once per connection; a plain `select` ({@link isStandaloneRead}) issued before anything
   * else in the unit of work runs on its own, in one round trip (docs/adr/0005-plugin-sql-statements.md; on a
   * connection whose session holds the unit's scope, as the only statement sent: docs/adr/0006-tenant-scope-per-connection.md).
   * Statements that would change the session (`set`, `reset`, `set_config`, `discard`, `deallocate`) are refused.
   */
  query<Row = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<Row[]>;
  /** The first row, or undefined. */
  one<Row = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<Row | undefined>;
  /** {@link query} under its older name: `name` is ignored, since every statement that repeats is named already. */
  prepared<Row = Record<string, unknown>>(name: string, text: string, values: readonly unknown[]): Promise<Row[]>;
  /** The rows of a query through a server-side cursor, `batchSize` (1–10,000, default 1,000) at a time, in this transaction. */
  stream<Row = Record<string, unknown>>(text: string, values?: readonly unknown[], options?: { batchSize?: number }): AsyncIterable<Row>;
  /** A knex query builder on `table`, running inside this transaction. */
  table(name: string): Knex.QueryBuilder;
  /** Runs `fn` once the transaction has committed (not at all on rollback): cache invalidation, notifications. */
  afterCommit(fn: () => unknown): void;
  /**
   * Waits for, then holds until commit or rollback, an advisory lock on `key` within this transaction's scope
   * (its tenant, or the system or global path): the same key of another tenant is another lock. Core's keys
   * start with `core/`; a plugin's `deps.db` prefixes the plugin's name (see {@link namespacedDb}).
   */
  lock(key: string): Promise<void>;
}

/**
 * Whether `text` may run as a transaction of its own, before the unit's transaction opens: a plain `select`
 * that takes no row or advisory lock, creates nothing (`select … into`), changes no sequence or setting, sends
 * no notification and asks for no transaction id. Anything else (a `with`, a write) runs in the unit's
 * transaction, which is always correct; the standalone path only saves a round trip. What the test cannot see
 * is a `select` calling a function that writes: it would commit on its own, apart from the unit, so such a call
 * must come after a statement that opened the transaction (docs/adr/0005-plugin-sql-statements.md).
 */
export function isStandaloneRead(text: string): boolean {
  return /^\s*select\b/i.test(text) && !keptInTransaction.test(text);
}

/** What keeps a `select` in the unit's transaction: row and advisory locks, `into`, sequences, settings, notifications, transaction ids. */
const keptInTransaction =
  /\b(for\s+(update|share|no\s+key\s+update|key\s+share)|into|pg_advisory\w*|nextval|setval|set_config|pg_notify|txid_current\w*|pg_current_xact_id\w*)\b/i;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a UUID (the only shape a tenant id takes). */
export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}

/**
 * Whom a transaction works for: a tenant (by id), the system path (`null`, core only), or `'global'`: the
 * runtime role with no tenant set, which sees global tables and no tenant's rows (plugins finding a tenant).
 */
export type TransactionScope = string | null | 'global';

/**
 * The scope a transaction needs, as the session settings that give it: the tenant (empty on the system and global
 * paths: the policies read an empty setting as no tenant) and the role Row Level Security applies to.
 */
interface SessionScope {
  /** `<role>:<tenant id>`, and `:<digest of the units>` for a unit scope, as {@link SessionScopes} records it. */
  key: string;
  /**
   * Sets the scope for the session (`set_config(…, false)`), inside the transaction that needs it: committed with
   * it, rolled back with it (docs/adr/0006-tenant-scope-per-connection.md).
   */
  statement: pg.QueryConfig;
}

function sessionScope(scope: TransactionScope, units?: UnitScope, readOnly = false): SessionScope {
  if (typeof scope === 'string' && scope !== 'global' && !isUuid(scope)) throw new Error(`tenant id ${JSON.stringify(scope)} is not a UUID`);
  const tenantId = scope === null || scope === 'global' ? '' : scope;
  const role = scope === null ? 'plinth_system' : 'plinth_app';
  const unitKey = tenantId && units ? units.key : '';
  return {
    key: `${tenantId && units ? `${role}:${tenantId}:${units.key}` : `${role}:${tenantId}`}${readOnly ? ':ro' : ''}`,
    // Named: parsed once per connection. `set_config('role', r, false)` is `set role r`. A read-only scope keeps the
    // session's transactions read only, the implicit one of a standalone read too (docs/adr/0013-read-replicas.md).
    statement: {
      name: 'plinth-scope',
      text: "select set_config('app.tenant_id', $1, false), set_config('app.unit_scope', $3, false), set_config('role', $2, false), set_config('default_transaction_read_only', $4, false)",
      values: [tenantId, role, unitKey, readOnly ? 'on' : 'off'],
    },
  };
}

/**
 * The organisation units a tenant transaction is limited to: absent for the whole tenant. `key` (a digest of the
 * sorted ids) is what `app.unit_scope` holds and what the unit tables' policies look up in `org_unit_scopes`, whose
 * rows the kernel writes before a transaction uses the scope (`OrgUnitsService.ensure`).
 */
export interface UnitScope {
  key: string;
  ids: readonly string[];
}

/** The scope of these units (ids, in any order). */
export function unitScopeOf(ids: readonly string[]): UnitScope {
  const sorted = [...ids].sort();
  return { key: createHash('sha256').update(sorted.join(',')).digest('base64url').slice(0, 22), ids: sorted };
}

const begin: pg.QueryConfig = { text: 'begin' };
const beginReadOnly: pg.QueryConfig = { text: 'begin read only' };
/** On a session a read-only scope left read only by default (the scope statement changes that for the next transactions only). */
const beginReadWrite: pg.QueryConfig = { text: 'begin read write' };

/** How a transaction departs from the default (read-write, on the database it is given): read-only routes (ADR 0013). */
export interface TransactionOptions {
  /** Begins read only and keeps the session read only: a write fails with `ReadOnlyTransactionError`. */
  readOnly?: boolean;
  /** The database to use when no connection to the given one can be had (a replica down: the primary), and whom to tell. */
  fallback?: { database: Database; onUse(error: unknown): void };
  /** Gets the WAL position after the commit of a transaction that opened (so may have written): read-your-writes. */
  onCommitted?: (lsn: string) => Promise<void>;
}

/** The primary's WAL position, asked right behind a commit (pipelined: no round trip of its own). */
const walPosition: pg.QueryConfig = { text: 'select pg_current_wal_insert_lsn()::text as lsn' };

/**
 * Sends `statements` (the transaction's opening), after the deallocation of names the connection gave up (each its
 * own implicit transaction, whose failure concerns no one); the promise settles when they have, with the first
 * failure if any.
 */
function sendPreamble(database: Database, client: pg.Client, statements: readonly pg.QueryConfig[]): Promise<unknown> {
  for (const drop of database.statements.drops(client)) client.query(drop).catch(() => undefined);
  const sent = statements.map((statement) => submit(client, statement));
  for (const statement of sent) statement.catch(() => undefined);
  return sent.reduce<Promise<unknown>>((previous, statement) => previous.then(() => statement), Promise.resolve());
}

/**
 * What SQL run through a {@link ScopedDb} may not do: change a session setting (`set`, `reset`, `set_config`, the
 * role, the tenant), or drop what the connection keeps (`discard`, `deallocate`). The session's scope outlives the
 * transaction (docs/adr/0006-tenant-scope-per-connection.md), so such a statement could reach another request.
 */
const sessionStatement = /^\s*(set|reset|discard|deallocate)\b|\bset_config\s*\(/i;

/** Refuses SQL that would change the session a connection keeps between requests ({@link sessionStatement}). */
function assertNoSessionChange(text: string): void {
  if (sessionStatement.test(text))
    throw new Error(`SQL through the unit of work may not change session settings (set, reset, set_config, discard, deallocate): ${text.slice(0, 80)}`);
}

/**
 * Whether `error` is PostgreSQL refusing to run named statement `config` because its cached plan no longer
 * fits the schema (`0A000`, "cached plan must not change result type": a migration changed the columns a
 * `select *` or `returning *` returns). The server refuses at Bind, before running anything; the name is
 * given up so that the statement is parsed anew.
 */
function staleStatement(error: unknown, config: pg.QueryConfig): boolean {
  return config.name !== undefined && (error as { code?: unknown } | undefined)?.code === '0A000';
}

/** The socket of a `pg` client (a private field, pinned by core/test/db/one-round-trip.test.ts). */
function socketOf(client: pg.Client): { cork(): void; uncork(): void } | undefined {
  const stream = (client as unknown as { connection?: { stream?: { cork?(): void; uncork(): void } } }).connection?.stream;
  return stream?.cork ? (stream as { cork(): void; uncork(): void }) : undefined;
}

/**
 * The `deps.db` a plugin receives: the unit's transaction, with lock keys of its own (`<plugin>/<key>`), so one
 * plugin's key never waits on another's; and nothing more (no knex instance whose queries would escape the
 * transaction and its tenant).
 */
export function namespacedDb(db: ScopedDb, namespace: string): ScopedDb {
  return {
    query: <Row>(text: string, values?: readonly unknown[]) => db.query<Row>(text, values),
    one: <Row>(text: string, values?: readonly unknown[]) => db.one<Row>(text, values),
    prepared: <Row>(name: string, text: string, values: readonly unknown[]) => db.prepared<Row>(name, text, values),
    stream: <Row>(text: string, values?: readonly unknown[], options?: { batchSize?: number }) => db.stream<Row>(text, values, options),
    table: (name) => db.table(name),
    afterCommit: (fn) => db.afterCommit(fn),
    lock: (key) => db.lock(`${namespace}/${key}`),
  };
}

/**
 * A transaction opened on first use and closed by {@link finish}: requests
 * that never touch the database never take a connection.
 */
export class LazyTransaction implements ScopedDb {
  private opening: Promise<pg.Client> | undefined;
  /** The preamble's result; statements are sent right behind it without waiting (pipeline mode) and wait for it only to report. */
  private begun: Promise<unknown> | undefined;
  /** The socket, corked from the preamble until the first statement is queued: both leave in one write. */
  private corked: { cork(): void; uncork(): void } | undefined;
  private readonly scope: SessionScope;
  /** Whether the open transaction sets the session's scope (the connection held another): recorded once it commits. */
  private setsScope = false;
  /** What lock keys are hashed with, so that the same key in another scope is another lock. */
  private readonly scopeKey: string;
  private readonly committed: (() => unknown)[] = [];
  /** Statements sent in this transaction so far: only the first, alone, may be resent on a new connection. */
  private sent = 0;
  private retried = false;
  /** Cursors opened by {@link stream} so far: each gets a name of its own. */
  private cursors = 0;
  /** Stands in for the connection in knex builders until the transaction is open. */
  private readonly knexConnection = {
    query: (config: pg.QueryConfig, callback: (error: Error | null, result?: pg.QueryResult) => void) => this.forward(config, callback),
  };

  /** Where the transaction goes when its database cannot be reached (taken once). */
  private fallback: TransactionOptions['fallback'];

  constructor(
    private database: Database,
    tenantId: TransactionScope,
    units?: UnitScope,
    private readonly options: TransactionOptions = {},
  ) {
    this.scope = sessionScope(tenantId, units, options.readOnly);
    this.fallback = options.fallback;
    this.scopeKey = tenantId ?? 'system';
  }

  get opened(): boolean {
    return this.opening !== undefined;
  }

  async query<Row>(text: string, values: readonly unknown[] = []): Promise<Row[]> {
    return (await this.run({ text, values: values as unknown[] })).rows as Row[];
  }

  async one<Row>(text: string, values: readonly unknown[] = []): Promise<Row | undefined> {
    return (await this.query<Row>(text, values))[0];
  }

  prepared<Row>(_name: string, text: string, values: readonly unknown[]): Promise<Row[]> {
    return this.query<Row>(text, values);
  }

  async *stream<Row>(text: string, values: readonly unknown[] = [], options: { batchSize?: number } = {}): AsyncIterable<Row> {
    const batchSize = options.batchSize ?? 1000;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new RangeError('batchSize must be an integer from 1 to 10,000');
    // A cursor of the transaction (closed at its end anyway): the rows leave the server one batch at a time.
    const cursor = `plinth_stream_${++this.cursors}`;
    await this.query(`declare ${cursor} no scroll cursor for ${text}`, values);
    try {
      for (;;) {
        const rows = await this.query<Row>(`fetch forward ${batchSize} from ${cursor}`);
        yield* rows;
        if (rows.length < batchSize) return;
      }
    } finally {
      await this.query(`close ${cursor}`).catch(() => undefined);
    }
  }

  afterCommit(fn: () => unknown): void {
    this.committed.push(fn);
  }

  async lock(key: string): Promise<void> {
    // 64 bits of hash: two different keys share a lock only by a collision (about one in 2^64 pairs).
    await this.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`${this.scopeKey}:${key}`]);
  }

  table(name: string): Knex.QueryBuilder {
    return this.database.knex(name).connection(this.knexConnection);
  }

  /** Commits (or rolls back), returns the connection to the pool, then runs the after-commit callbacks. */
  async finish(commit: boolean): Promise<void> {
    const opening = this.opening;
    this.opening = undefined;
    const client = opening ? await opening.catch(() => undefined) : undefined;
    this.flush();
    const begun = await this.begun?.then(
      () => true,
      () => false,
    );
    this.begun = undefined;
    let lsn: string | undefined;
    if (client) {
      if (!begun) commit = false;
      let broken: unknown;
      try {
        const ending = client.query(commit ? 'commit' : 'rollback');
        const position = commit && this.options.onCommitted ? submit<{ lsn: string }>(client, walPosition) : undefined;
        position?.catch(() => undefined);
        const ended = await ending;
        if (position && ended.command === 'COMMIT') lsn = (await position.catch(() => undefined))?.rows[0]?.lsn;
        // `commit` of a transaction that failed answers `ROLLBACK`: the session keeps the scope it had.
        if (this.setsScope && ended.command === 'COMMIT') this.database.sessionScopes.record(client, this.scope.key);
      } catch (error) {
        if (isConnectionError(error)) broken = error;
        else if (commit) await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        await this.database.release(client, broken);
      }
    }
    if (lsn !== undefined) await this.options.onCommitted!(lsn);
    if (commit) for (const fn of this.committed.splice(0)) await fn();
  }

  /** Every statement of the unit: a plain read before anything else runs alone, the rest in the unit's transaction. */
  private run(config: pg.QueryConfig): Promise<pg.QueryResult> {
    assertNoSessionChange(config.text);
    if (tracing) return statementSpan(config.text, this.scopeKey, () => this.runStatement(config));
    return this.runStatement(config);
  }

  private runStatement(config: pg.QueryConfig): Promise<pg.QueryResult> {
    const result = !this.opening && isStandaloneRead(config.text) ? this.readAlone(config) : this.send(config);
    return this.options.readOnly ? result.catch((error: unknown) => Promise.reject(readOnlyRefusal(error))) : result;
  }

  private connection(): Promise<pg.Client> {
    this.opening ??= this.open();
    return this.opening;
  }

  /**
   * Sends a statement behind the preamble (pipelined) and waits for both.
   * The transaction's first statement, sent alone, is sent once more when
   * the server ran nothing of the transaction: on a new connection when the
   * preamble found the pooled connection dead (see {@link endedBeforeRunning}),
   * after a rollback when its named statement's plan went stale
   * ({@link staleStatement}). Nothing runs twice.
   */
  private async send(config: pg.QueryConfig, retrying = false): Promise<pg.QueryResult> {
    if (!retrying) this.sent++;
    const client = await this.connection();
    const named = this.database.statements.named(client, config);
    const result = submit(client, named);
    result.catch(() => undefined); // reported below, after the preamble's own error if it failed
    this.flush();
    const mayRetry = () => !retrying && !this.retried && this.sent === 1;
    try {
      await this.begun;
    } catch (error) {
      if (!mayRetry() || !endedBeforeRunning(error)) throw error;
      this.retried = true;
      this.begun = undefined;
      this.opening = this.database.release(client, error).then(() => this.open());
      return this.send(config, true);
    }
    try {
      return await result;
    } catch (error) {
      if (!staleStatement(error, named)) throw error;
      this.database.statements.forget(client, named);
      if (!mayRetry()) throw error;
      this.retried = true;
      this.begun = undefined;
      this.opening = client
        .query('rollback')
        .then(
          () => this.database.release(client),
          (broken: unknown) => this.database.release(client, broken),
        )
        .then(() => this.open());
      return this.send(config, true);
    }
  }

  /**
   * Takes a connection and sends the preamble without waiting for it: on a
   * pipelining connection the first statement follows in the same round trip.
   * If the preamble fails, the transaction is aborted, so nothing sent behind
   * it runs (PostgreSQL refuses statements in an aborted transaction), and
   * every caller sees the preamble's error.
   */
  private async open(): Promise<pg.Client> {
    const client = await this.acquire();
    this.corked = socketOf(client);
    this.corked?.cork();
    this.setsScope = this.database.sessionScopes.of(client) !== this.scope.key;
    const opening = this.beginOn(client);
    this.begun = sendPreamble(this.database, client, this.setsScope ? [opening, this.scope.statement] : [opening]);
    this.begun.catch(() => undefined);
    return client;
  }

  /**
   * A read that comes before anything else in the unit of work runs on its own. On a connection whose session
   * holds the scope already it is the only statement sent; otherwise it runs in a transaction of its own that sets
   * the scope: `begin`, scope, statement and `commit` leave in one write and come back in one round trip. Nothing
   * before it can be rolled back with it, and anything after it opens the unit's transaction as usual.
   */
  private async readAlone(config: pg.QueryConfig, retrying = false): Promise<pg.QueryResult> {
    const client = await this.acquire();
    if (this.database.sessionScopes.of(client) === this.scope.key) return this.readInScope(client, config, retrying);
    const socket = socketOf(client);
    socket?.cork();
    const begun = sendPreamble(this.database, client, [this.beginOn(client), this.scope.statement]);
    const named = this.database.statements.named(client, config);
    const result = submit(client, named);
    const ended = client.query('commit');
    socket?.uncork();
    const [preamble, read, commit] = await Promise.allSettled([begun, result, ended]);
    if (commit.status === 'fulfilled' && commit.value.command === 'COMMIT') this.database.sessionScopes.record(client, this.scope.key);
    const failure = preamble.status === 'rejected' ? preamble : read.status === 'rejected' ? read : commit.status === 'rejected' ? commit : undefined;
    if (read.status === 'rejected' && staleStatement(read.reason, named)) this.database.statements.forget(client, named);
    await this.database.release(client, failure && isConnectionError(failure.reason) ? failure.reason : undefined);
    if (read.status === 'fulfilled' && !failure) return read.value;
    // Nothing of this read ran (the connection was found dead before it, or the plan of its named statement went
    // stale), so it may run once more.
    const first = preamble.status === 'rejected' ? preamble.reason : read.status === 'rejected' ? read.reason : undefined;
    if (!retrying && first !== undefined && (endedBeforeRunning(first) || staleStatement(first, named))) return this.readAlone(config, true);
    throw failure!.reason;
  }

  /** {@link readAlone} on a connection whose session holds the scope: the statement is all that is sent (the common case). */
  private async readInScope(client: pg.Client, config: pg.QueryConfig, retrying: boolean): Promise<pg.QueryResult> {
    for (const drop of this.database.statements.drops(client)) client.query(drop).catch(() => undefined);
    const named = this.database.statements.named(client, config);
    let read: pg.QueryResult;
    try {
      read = await submit(client, named);
    } catch (error) {
      if (staleStatement(error, named)) this.database.statements.forget(client, named);
      await this.database.release(client, isConnectionError(error) ? error : undefined);
      // Nothing of it ran (the connection was found dead, or the plan of its named statement went stale): once more.
      if (!retrying && (endedBeforeRunning(error) || staleStatement(error, named))) return this.readAlone(config, true);
      throw error;
    }
    await this.database.release(client);
    return read;
  }

  /** How the transaction begins on `client`: read only, or read-write even where the session's default is read only. */
  private beginOn(client: pg.Client): pg.QueryConfig {
    if (this.options.readOnly) return beginReadOnly;
    return this.database.sessionScopes.of(client)?.endsWith(':ro') ? beginReadWrite : begin;
  }

  /**
   * A connection of the transaction's database, whatever its session's scope; when none can be had and there is a
   * fallback (a replica down: the primary), one of the fallback, which the transaction uses from then on.
   */
  private async acquire(): Promise<pg.Client> {
    try {
      return await this.database.acquireAnyScope();
    } catch (error) {
      const fallback = this.fallback;
      if (!fallback) throw error;
      this.fallback = undefined;
      fallback.onUse(error);
      this.database = fallback.database;
      return this.database.acquireAnyScope();
    }
  }

  /** Sends what the socket holds (the preamble and the first statement). */
  private flush(): void {
    this.corked?.uncork();
    this.corked = undefined;
  }

  private forward(config: pg.QueryConfig, callback: (error: Error | null, result?: pg.QueryResult) => void): void {
    this.run(config).then(
      (result) => callback(null, result),
      (error: Error) => callback(error),
    );
  }
}

/**
 * Runs `fn` in a transaction scoped to `tenantId` (and to `units`, when given: the unit tables' rows of those units
 * only); commits when it resolves, rolls back when it throws.
 */
export async function runInTenant<T>(database: Database, tenantId: string, fn: (db: ScopedDb) => Promise<T>, units?: UnitScope): Promise<T> {
  return runScoped(new LazyTransaction(database, tenantId, units), fn);
}

/** Runs `fn` on the explicit cross-tenant path (role `plinth_system`). Core only; callers audit what they do. */
export async function runAsSystem<T>(database: Database, fn: (db: ScopedDb) => Promise<T>): Promise<T> {
  return runScoped(new LazyTransaction(database, null), fn);
}

async function runScoped<T>(transaction: LazyTransaction, fn: (db: ScopedDb) => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await fn(transaction);
  } catch (error) {
    await transaction.finish(false);
    throw error;
  }
  await transaction.finish(true);
  return result;
}
