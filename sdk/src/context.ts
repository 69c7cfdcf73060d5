import type { TenantDb } from './services.js';
import type { UnitReach } from './units.js';

/** The tenant a unit of work runs for. */
export interface TenantInfo {
  id: string;
  slug: string;
  name: string;
  /** The tenant's IANA time zone (`'Europe/Paris'`; `'UTC'` unless the owner set one): for "every day at 8", due dates, digests. */
  timeZone: string;
  /** The tenant's BCP 47 locale (`'fr-FR'`; `'en'` by default), canonical form: for `Intl` formatting and mail language. */
  locale: string;
  /**
   * The tenant's default ISO 4217 currency (`'EUR'`; `'USD'` by default), for amounts nothing else prices.
   *
   * @example
   * ```ts
   * new Intl.NumberFormat(ctx.tenant.locale, { style: 'currency', currency: ctx.tenant.currency }).format(12.5);
   * ```
   */
  currency: string;
}

/** Who made the request. */
export type Caller = { kind: 'user'; userId: string } | { kind: 'api-token'; tokenId: string; userId: string | null } | { kind: 'anonymous' };

/** What every route handler knows about its request. */
export interface RequestContext<Settings> {
  /** The tenant (always set on routes with a permission; may be absent on public routes). */
  tenant: TenantInfo;
  caller: Caller;
  /** The tenant's settings of this plugin, validated and with defaults applied. */
  settings: Settings;
  /**
   * Whether the caller holds a permission (wildcards understood): for the whole tenant or in at least one
   * organisation unit; with `{ unit }`, in that unit (held for the whole tenant, in it, or in a unit above it);
   * with `{ unit: null }`, for the whole tenant.
   */
  can(permission: string | { name: string }, options?: { unit: string | null }): boolean;
  /**
   * The organisation units the caller reaches for the route's permission (`whole` on routes without one, and for
   * callers holding it tenant-wide). Row Level Security already limits unit tables to them.
   */
  units: UnitReach;
  requestId: string;
  /** The HTTP method: `HEAD` reaches a `GET` route (the kernel drops the body it returns). */
  method: string;
  ip: string;
  userAgent: string | undefined;
  /** Request headers, lower-case names. */
  headers: Record<string, string | string[] | undefined>;
  /** The body's bytes as received (for signature checks), when there was a body. */
  rawBody: Buffer | undefined;
}

/** What every job run knows. */
export interface JobContext<Settings> {
  tenant: TenantInfo;
  settings: Settings;
  /** Stable across retries: use it to make the job idempotent. */
  jobId: string;
  /** 1 on the first run, 2 on the first retry, … */
  attempt: number;
  /** Records progress (0–100) and extends the job's lock; a heartbeat already keeps the lock of a running job. */
  touch(progress?: number): Promise<void>;
  /**
   * Runs an effect that leaves the process (a mail, a webhook, a provider call) once per `key`: the key is
   * recorded in its own tenant transaction together with whatever `effect` writes through `db`, so a job run
   * again after a crash skips the keys already done and retries the others. Two runs at once with the same key
   * wait for each other; only one performs it. Returns `false` when the key was already done.
   *
   * The one window left is a crash after the effect and before the record commits: the effect then happens
   * again, so pass the key along with it (`idempotencyKey` of a mail becomes its Message-ID) for the receiver
   * to drop the repeat. Keys are per tenant and plugin; records are kept 30 days. It takes a connection of its
   * own: call it once the run's own queries are done (or from `deps.db.afterCommit`).
   *
   * @example
   * ```ts
   * await ctx.once(`welcome:${contact.id}`, async (db) => {
   *   await deps.mailer.send({ to: contact.email, subject, text, idempotencyKey: `welcome:${contact.id}` });
   *   await db.query("update crm_contacts set welcomed_at = now() where id = $1", [contact.id]);
   * });
   * ```
   */
  once(key: string, effect: (db: TenantDb) => Promise<void>): Promise<boolean>;
}

/** What every event handler knows. */
export interface EventContext<Settings> {
  tenant: TenantInfo;
  settings: Settings;
}
