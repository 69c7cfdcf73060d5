import type { Readable } from 'node:stream';
import type { Knex } from 'knex';
import type { EventName, PlinthEvents } from './events.js';
import type { HookName, HookCallArgs, HookCallResult } from './hooks.js';
import type { Clock, HttpClient } from './http.js';
import type { JobName, PlinthJobs } from './jobs.js';
import { defineErrors } from './errors.js';
import type { PluginAudit } from './audit.js';
import type { PluginUnits } from './units.js';
import type { PluginNotify } from './notifications.js';
import type { PluginMetrics } from './metrics.js';
import type { PluginLimits } from './limits.js';

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
  /**
   * Streams the rows of a query through a server-side cursor, `batchSize` rows at a time (default 1000), inside
   * this transaction: memory stays flat whatever the number of rows (a report of a million rows, an export).
   *
   * @example
   * ```ts
   * for await (const row of deps.db.stream<{ id: string }>('select id from shop_orders order by created_at')) yield row;
   * ```
   */
  stream<Row = Record<string, unknown>>(text: string, values?: readonly unknown[], options?: { batchSize?: number }): AsyncIterable<Row>;
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

/**
 * Which due job of a worker's queue runs first: among jobs due now, a higher priority is locked first, whatever
 * the order they were queued in (agenda's names; `normal` by default).
 */
export type JobPriority = 'lowest' | 'low' | 'normal' | 'high' | 'highest';

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
  /** This run's priority, instead of the job's default (`JobDefinition.priority`, else `normal`). */
  priority?: JobPriority;
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

/** A file sent with a mail (an invoice PDF, a calendar entry). */
export interface MailAttachment {
  /** The name the receiver sees, e.g. `invoice-2026-0042.pdf` (no path, no line break). */
  filename: string;
  /** Its MIME type, e.g. `application/pdf`. */
  contentType: string;
  content: Buffer;
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
  /** Files sent with it: at most 10 MiB together (a larger total, a bad name or type is refused). */
  attachments?: MailAttachment[];
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
  /** `staff`, or `customer`: a buyer or learner holding only the `customer` role (only {@link PluginMembers.get} returns them). */
  kind: 'staff' | 'customer';
  /** The member's own language (BCP 47), when the host knows it; mails go in it (see `recipientLocale`). */
  locale?: string | null;
}

/** The tenant's members (read-only). `byEmail` and `list` are staff only; `get` finds customers too. */
export interface PluginMembers {
  /** One member (staff or customer), or undefined when the user is not a member of this tenant. */
  get(userId: string): Promise<TenantMember | undefined>;
  /** The member with this email address (any letter case), or undefined when no member of this tenant has it. */
  byEmail(email: string): Promise<TenantMember | undefined>;
  /** Members holding a role (by name) or a permission (wildcards in their grants understood); every member without a filter. */
  list(filter?: { role?: string; permission?: string }): Promise<TenantMember[]>;
}

/**
 * The tenant's customers: buyers and learners, who are host users with a membership of kind `customer` holding only
 * the built-in `customer` role (never staff roles, never in member lists).
 *
 * @example
 * ```ts
 * const { userId } = await deps.customers.ensure({ email: order.email, name: order.name });
 * const link = await deps.customers.signInLink({ userId, next: pagePath(ctx.tenant.slug, '/learn') });
 * ```
 */
export interface PluginCustomers {
  /**
   * The customer account for this email in the current tenant. An existing user with that email gets a customer
   * membership unless already a member of the tenant (staff keep their membership, kind unchanged); an unknown
   * email gets a new passwordless user. Idempotent and race-safe (two calls at once: one user, one membership); the
   * membership is written in the caller's transaction.
   */
  ensure(input: { email: string; name?: string | null }): Promise<{ userId: string; created: boolean; kind: 'staff' | 'customer' }>;
  /**
   * An absolute, single-use sign-in link onto the tenant's pages that lands on `next` (a path from `pagePath`, i.e.
   * starting with `/c/<tenant slug>/`), valid `ttlSeconds` (default 7 days, at most 30). Opening it shows a "Continue"
   * button (link scanners that GET it do not use it up); pressing it signs the user in (page session cookie) and
   * redirects to `next`. The user must be a member (staff or customer) of the tenant.
   */
  signInLink(input: { userId: string; next: string; ttlSeconds?: number }): Promise<string>;
  /** The absolute URL of one of the tenant's pages (`path` from `pagePath`), on the host's public URL: for links in mail. */
  pageUrl(path: string): string;
  /** Whether an absolute URL is one of the tenant's pages on the host's public URL (a safe place to send a buyer back to). */
  isPageUrl(url: string): boolean;
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

/**
 * What storing a file can answer besides the common errors (the kernel's codes, owned by `core`): a route that
 * stores files with {@link PluginFiles.store} lists those it may meet in its `errors`.
 */
export const fileErrors = defineErrors('core', {
  file_empty: { status: 400, description: 'The upload holds no bytes' },
  file_incomplete: { status: 400, description: 'The upload ended before the file was complete (a cut connection or a truncated multipart body)' },
  file_too_large: { status: 413, description: 'The file is larger than this upload accepts' },
  storage_quota_exceeded: {
    status: 413,
    description: 'The file would take the tenant past its storage quota; `errors.storage` gives used and quota bytes, `errors.upgrade` the plan with more room',
  },
  file_type_not_allowed: {
    status: 415,
    description: 'The bytes of the file are of a type this upload does not accept (what the bytes say wins over the name and header)',
  },
  file_in_use: { status: 409, description: 'The file belongs to a record (an avatar, a logo): remove or replace it there' },
  signed_url_invalid: { status: 403, description: 'The signed URL is malformed or was altered' },
  signed_url_expired: { status: 410, description: 'The signed URL has expired; ask for a new one' },
});

/** A stored file as a plugin sees it (the bytes are read with {@link PluginFiles.open}). */
export interface PluginFile {
  id: string;
  /** The original name, sanitised. */
  name: string;
  /** Sniffed from the bytes at upload: what the bytes say wins over the name and the declared type. */
  contentType: string;
  size: number;
  /** SHA-256 of the bytes, hex. */
  checksum: string;
  visibility: 'public' | 'private';
  /** The record the file belongs to (set by `store({ ownerId })` or {@link PluginFiles.attach}). */
  ownerId: string | null;
  width: number | null;
  height: number | null;
  /** Image variants made so far (`thumb`, `medium`, `webp`), made by a job shortly after upload. */
  variants: string[];
  createdBy: string | null;
  /** Null until attached to a record: unattached files are removed a day after upload. */
  attachedAt: Date | null;
  createdAt: Date;
}

/** What {@link PluginFiles.store} takes. */
export interface StoreFileInput {
  /** The bytes, streamed (never read whole into memory). */
  body: Readable | AsyncIterable<Uint8Array>;
  /** The original name: kept for downloads (`Content-Disposition`), never used as a path. */
  name: string;
  /** `private` (default): only through your routes or a signed URL; `public`: anyone with the file's public URL. */
  visibility?: 'public' | 'private';
  /** The record the file belongs to; without it, attach it later or it is swept after a day. */
  ownerId?: string;
  /** Media types accepted (`image/*`, `application/pdf`); another is 415 `file_type_not_allowed`. Default: any. */
  allowedTypes?: readonly string[];
  /** Largest file accepted in bytes (413 `file_too_large` beyond); default: the host's upload limit (50 MiB). */
  maxBytes?: number;
  /** The declared type (a header): a hint for text formats only, never trusted over the bytes. */
  contentType?: string;
}

/** What {@link PluginFiles.attach} may require of the file it attaches. */
export interface AttachConditions {
  /** Media types accepted (`image/*`, `application/pdf`), matched against the type sniffed at upload. */
  allowedTypes?: readonly string[];
  /** Largest size accepted, in bytes. */
  maxBytes?: number;
  /** Only a file this user uploaded (a learner's own submission); another's is 404 and left alone. */
  uploadedBy?: string;
}

/**
 * Files of the plugin in the current tenant, stored by the kernel (local disk or S3) with a row in core's
 * forced-RLS `files` table. A plugin sees and touches only its own files; each counts against the tenant's
 * storage quota (413 `storage_quota_exceeded`). Purging the plugin's data deletes them.
 *
 * @example
 * ```ts
 * const file = await deps.files.store({ body: stream, name: 'cover.png', allowedTypes: ['image/*'], ownerId: product.id });
 * const { url } = await deps.files.signedUrl(file.id, { expiresInSeconds: 600 });
 * ```
 */
export interface PluginFiles {
  /** Stores a stream; refused with a 4xx (type, size, quota, empty, cut short) leaving nothing behind. */
  store(input: StoreFileInput): Promise<PluginFile>;
  /** One of the plugin's files, or undefined. */
  get(id: string): Promise<PluginFile | undefined>;
  /** The bytes (of `range`, both ends included; of a `variant`); throws 404 when there is no such file or variant. */
  open(id: string, options?: { range?: { start: number; end: number }; variant?: string }): Promise<Readable>;
  /** The plugin's files, newest first (those of one record with `ownerId`). */
  list(filter?: { ownerId?: string; page?: number; perPage?: number }): Promise<{ items: PluginFile[]; total: number }>;
  /**
   * Ties a file to a record so it is kept: one of the plugin's own, or a file a member uploaded through
   * `POST /api/v1/files` and no record has claimed yet (it becomes the plugin's). With `conditions`, a file of
   * another type or size is refused (415 `file_type_not_allowed`, 413 `file_too_large`), and a file that
   * `uploadedBy` did not upload is not found (404); a member's upload so refused is deleted at once, in a
   * transaction of its own, since it can never be accepted here (the error rolls back the plugin's own work).
   */
  attach(id: string, ownerId: string, conditions?: AttachConditions): Promise<PluginFile>;
  /** Deletes the file and its variants; false when there was none. */
  delete(id: string): Promise<boolean>;
  /** A URL that downloads the file without credentials until it expires (default 1 hour, at most 7 days). */
  signedUrl(id: string, options?: { expiresInSeconds?: number; variant?: string }): Promise<{ url: string; expiresAt: Date }>;
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
  /** The tenant's customers: accounts for buyers and sign-in links onto the tenant's pages (see {@link PluginCustomers}). */
  customers: createServiceRef<PluginCustomers>('core.customers'),
  writeBehind: createServiceRef<PluginWriteBehind>('core.writeBehind'),
  /** The host's clock (`now()`): read the time here, so a test can set it. */
  clock: createServiceRef<Clock>('core.clock'),
  /** Outbound HTTP, refusing internal destinations (see {@link HttpClient}). */
  http: createServiceRef<HttpClient>('core.http'),
  /** The plugin's files in the tenant (see {@link PluginFiles}). */
  files: createServiceRef<PluginFiles>('core.files'),
  /** The tenant's audit log, for the plugin's own actions, in the unit of work's transaction (see {@link PluginAudit}). */
  audit: createServiceRef<PluginAudit>('core.audit'),
  /** The tenant's organisation units (see {@link PluginUnits}). */
  units: createServiceRef<PluginUnits>('core.units'),
  /** Notifies people of the tenant by the plugin's templates, through their inbox and channels (see {@link PluginNotify}). */
  notify: createServiceRef<PluginNotify>('core.notify'),
  /** The plugin's own Prometheus counters, gauges and histograms, prefixed `plinth_<plugin>_` (see {@link PluginMetrics}). */
  metrics: createServiceRef<PluginMetrics>('core.metrics'),
  /** The tenant's plan limits for the plugin's declared `limits`: `ensure` before creating (see {@link PluginLimits}). */
  limits: createServiceRef<PluginLimits>('core.limits'),
} as const;

/** The name of a core service ref in {@link coreServices} (`db`, `clock`, …). */
export type CoreServiceName = keyof typeof coreServices;
