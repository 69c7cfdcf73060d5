/** The tenant a unit of work runs for. */
export interface TenantInfo {
  id: string;
  slug: string;
  name: string;
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
  /** Whether the caller holds a permission (wildcards understood). */
  can(permission: string | { name: string }): boolean;
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
  /** Extends the job's lock during long work, so no other worker starts it meanwhile. */
  touch(progress?: number): Promise<void>;
}

/** What every event handler knows. */
export interface EventContext<Settings> {
  tenant: TenantInfo;
  settings: Settings;
}
