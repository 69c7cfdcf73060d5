import type { Knex } from 'knex';
import type { EventName, PlinthEvents } from './events.js';
import type { HookName, HookCallArgs, HookCallResult } from './hooks.js';
import type { Clock, HttpClient } from './http.js';
import type { JobName, PlinthJobs } from './jobs.js';

/**
 * A typed reference to a service. Plugins list the refs they need in `deps`
 * and receive the services, typed, in every handler; a plugin provides its own
 * services under refs it exports for others.
 *
 * @example
 * ```ts
 * export interface PaymentsApi { createIntent(input: NewIntent): Promise<Intent> }
 * export const paymentsRef = createServiceRef<PaymentsApi>('payments.payments');
 * ```
 */
export interface ServiceRef<T> {
  readonly id: string;
  /** Set by {@link optional}: resolves to `undefined` instead of failing when the provider is absent. */
  readonly optional?: true;
  /** Type carrier only; never set. */
  readonly __type?: T;
}

/** Creates a service ref; `id` is `<plugin>.<service>`. */
export function createServiceRef<T>(id: string): ServiceRef<T> {
  return { id };
}

/**
 * A dependency on another plugin's service that the plugin works without: in `deps`, it resolves to the
 * service when the providing plugin is installed and enabled for the tenant, else to `undefined` (list the
 * provider in `requires.optionalPlugins`).
 *
 * @example
 * ```ts
 * deps: { crm: optional(crmContactsRef) },
 * // in a handler
 * if (deps.crm) await deps.crm.upsert({ email });
 * ```
 */
export function optional<T>(ref: ServiceRef<T>): ServiceRef<T | undefined> {
  return { id: ref.id, optional: true };
}

/** The services a `deps` object of refs resolves to. */
export type ResolvedDeps<D> = { [K in keyof D]: D[K] extends ServiceRef<infer T> ? T : never };

/** A map of service refs, as in `deps`. */
export type DepRefs = Record<string, ServiceRef<unknown>>;

/**
 * The database handle of a request, job or event handler: one transaction,
 * scoped to the tenant by Row Level Security (a query can only see and write
 * the current tenant's rows). Committed when the handler returns, rolled back
 * when it throws.
 *
 * The transaction runs at PostgreSQL's default isolation, READ COMMITTED: each
 * statement sees what was committed before it began, so a check followed by a
 * write ("is the slot free? then book it") can race another request doing the
 * same. Make the database refuse the second (a unique index, a partial unique
 * index or an exclusion constraint: the violation answers `409 conflict`), or
 * serialize the two with {@link TenantDb.lock}. Rows come back as
 * docs/plugins/migrations-and-isolation.md describes: `bigint` as a number
 * (a value beyond 2^53 − 1 fails the query rather than being rounded),
 * `numeric` as a string, `timestamptz` as a `Date`, `jsonb` parsed.
 */
export interface TenantDb {
  /** Runs SQL with `$1` parameters and returns the rows. */
  query<Row = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<Row[]>;
  /** The first row, or undefined. */
  one<Row = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<Row | undefined>;
  /**
   * The same as {@link query} (`name` is ignored): every statement whose text repeats is already sent as a
   * named prepared statement, parsed once per connection. Kept for plugins written against the earlier form.
   */
  prepared<Row = Record<string, unknown>>(name: string, text: string, values: readonly unknown[]): Promise<Row[]>;
  /** A knex query builder on `table`, running inside this transaction. */
  table(name: string): Knex.QueryBuilder;
  /** Runs `fn` once the transaction has committed (not at all on rollback). */
  afterCommit(fn: () => unknown): void;
  /**
   * Waits until no other transaction holds `key`, then holds it until this
   * transaction commits or rolls back (a PostgreSQL transaction-level advisory
   * lock). Keys are the plugin's and the tenant's own: the same key of another
   * plugin or tenant never waits on this one.
   *
   * @example
   * ```ts
   * await deps.db.lock(`slot:${body.slot_id}`); // a second booking of this slot waits here until the first commits
   * const taken = await deps.db.one('select 1 from bookings_bookings where slot_id = $1', [body.slot_id]);
   * if (taken) throw new ConflictError('The slot is already booked');
   * ```
   */
  lock(key: string): Promise<void>;
}

/** A cache namespaced to the tenant and the plugin. Values are shared: never mutate what you get. */
export interface PluginCache {
  get<T>(key: string): Promise<T | undefined>;
  set<T>(key: string, value: T, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<void>;
  getOrLoad<T>(key: string, ttlMs: number, load: () => Promise<T | undefined>): Promise<T | undefined>;
}

/** Emits typed domain events (`<plugin>.<entity>.<verb>`), written to the outbox in the current transaction. */
export interface PluginEvents {
  emit<K extends EventName>(name: K, payload: PlinthEvents[K]): Promise<void>;
}

export interface EnqueueOptions {
  /** Run at this time instead of now. */
  at?: Date;
  /** Run after this many milliseconds. */
  delayMs?: number;
  /**
   * Makes the job unique per tenant, job name and key (1–200 characters, e.g. an order id): enqueuing again
   * replaces the pending run (payload and time), and {@link PluginJobs.cancel} removes it.
   */
  key?: string;
}

/** Queues the plugin's jobs for the current tenant (after the transaction commits). */
export interface PluginJobs {
  /**
   * Queues a run of the job once the transaction commits (nothing if it rolls back). With a `key`, the run
   * replaces the key's pending one, if any.
   *
   * @example
   * ```ts
   * await deps.jobs.enqueue('shop.order.expire', { orderId }, { key: orderId, delayMs: 15 * 60_000 });
   * ```
   */
  enqueue<K extends JobName>(name: K, payload: PlinthJobs[K], options?: EnqueueOptions): Promise<void>;
  /**
   * Cancels the tenant's pending run of a job queued with `key`, once the transaction commits. A no-op when
   * there is none, or once that run has started: a started run finishes, retries included.
   *
   * @example
   * ```ts
   * await deps.jobs.cancel('shop.order.expire', orderId); // the order was paid
   * ```
   */
  cancel<K extends JobName>(name: K, key: string): Promise<void>;
  /** Runs the job for this tenant on a cron schedule (`'0 8 * * *'`) or an interval (`'5 minutes'`); one schedule per job and tenant. */
  every<K extends JobName>(name: K, interval: string, payload: PlinthJobs[K]): Promise<void>;
  /** Stops the tenant's recurring schedule of a job. */
  cancelEvery<K extends JobName>(name: K): Promise<void>;
}

/** Calls hooks other plugins tap (typed by the offering plugin's declaration). */
export interface PluginHooks {
  call<K extends HookName>(name: K, ...args: HookCallArgs<K>): Promise<HookCallResult<K>>;
}

/** A structured logger (pino-compatible); lines carry the plugin, tenant and request id. */
export interface PluginLogger {
  debug(objOrMsg: object | string, msg?: string): void;
  info(objOrMsg: object | string, msg?: string): void;
  warn(objOrMsg: object | string, msg?: string): void;
  error(objOrMsg: object | string, msg?: string): void;
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /**
   * Extra headers: `List-*` (e.g. `List-Unsubscribe` and `List-Unsubscribe-Post` for one-click unsubscribe),
   * `Reply-To`, `In-Reply-To`, `References` and `X-*`; any other name, or a line break in a value, is refused.
   */
  headers?: Record<string, string>;
  /**
   * Identifies this mail across retries (unique within the plugin and tenant, e.g. `campaign:<recipient id>`):
   * it becomes the mail's `Message-ID`, so a receiver can drop the copy a retry after a crash may send, and
   * the development outbox keeps one mail per key.
   */
  idempotencyKey?: string;
}

/** Sends mail through the host's mailer (SMTP, or the development outbox). */
export interface PluginMailer {
  send(message: MailMessage): Promise<void>;
}

/**
 * Seals secrets for storage (AES-256-GCM under the host's encryption key):
 * store what `seal` returns, `open` it when you need the plaintext, and never
 * return either in a response or a log line.
 */
export interface PluginSecrets {
  seal(plaintext: string): string;
  /** Throws when the value was not sealed with this host's key (or was altered). */
  open(sealed: string): string;
}

/** A member of the tenant. */
export interface TenantMember {
  userId: string;
  name: string;
  email: string;
  /** Names of the member's roles. */
  roles: string[];
}

/** The tenant's members (read-only). */
export interface PluginMembers {
  /** One member, or undefined when the user is not a member of this tenant. */
  get(userId: string): Promise<TenantMember | undefined>;
  /** The member with this email address (any letter case), or undefined when no member of this tenant has it. */
  byEmail(email: string): Promise<TenantMember | undefined>;
  /** Members holding a role (by name) or a permission (wildcards in their grants understood); every member without a filter. */
  list(filter?: { role?: string; permission?: string }): Promise<TenantMember[]>;
}

/**
 * Inserts written after the response, in batches: for many small records a visitor should not wait for and
 * that may be lost in a crash (page visits, clicks). A queued row is inserted within about a second, with the
 * others of its tenant and table in one statement, in the tenant's scope (`tenant_id` is filled in). A batch
 * that fails is logged and dropped. For anything that must not be lost, write with `db`.
 */
export interface PluginWriteBehind {
  /** Queues a row for one of the plugin's own tenant tables; returns at once. */
  insert(table: string, row: Record<string, unknown>): void;
}

/** The kernel's services a plugin may list in `deps`. */
export const coreServices = {
  db: createServiceRef<TenantDb>('core.db'),
  cache: createServiceRef<PluginCache>('core.cache'),
  events: createServiceRef<PluginEvents>('core.events'),
  jobs: createServiceRef<PluginJobs>('core.jobs'),
  hooks: createServiceRef<PluginHooks>('core.hooks'),
  logger: createServiceRef<PluginLogger>('core.logger'),
  mailer: createServiceRef<PluginMailer>('core.mailer'),
  secrets: createServiceRef<PluginSecrets>('core.secrets'),
  members: createServiceRef<PluginMembers>('core.members'),
  writeBehind: createServiceRef<PluginWriteBehind>('core.writeBehind'),
  /** The host's clock (`now()`): read the time here, so a test can set it. */
  clock: createServiceRef<Clock>('core.clock'),
  /** Outbound HTTP, refusing internal destinations (see {@link HttpClient}). */
  http: createServiceRef<HttpClient>('core.http'),
} as const;

/** The name of a core service ref in {@link coreServices} (`db`, `clock`, …). */
export type CoreServiceName = keyof typeof coreServices;
