import type { PluginCustomers } from '@plinth/sdk';
import { randomToken, sha256 } from '../crypto/secrets.js';
import type { Database } from '../db/database.js';
import { runAsSystem, type ScopedDb } from '../db/scoped-db.js';
import { PluginMisuseError } from '../plugins/plugin-scope.js';

type EnsureResult = Awaited<ReturnType<PluginCustomers['ensure']>>;

/** Default and longest lifetime of a sign-in link. */
export const signInLinkTtl = { defaultSeconds: 7 * 86_400, maxSeconds: 30 * 86_400 };

/**
 * The customer account for an email in the tenant of `db` (a tenant transaction, the caller's). The user row is a
 * host table that tenant work cannot write: it is found or created on the system path, in a transaction of its own
 * that commits at once (`on conflict do nothing` on the unique lower-case email: of two concurrent calls one creates
 * it, the other reads it). The membership and its `customer` role are written in `db`, so they commit or roll back
 * with the caller's work; the unique (tenant, user) index makes a concurrent second insert wait and then do nothing.
 */
export async function ensureCustomer(database: Database, db: ScopedDb, input: { email: string; name?: string | null }): Promise<EnsureResult> {
  const email = input.email.trim();
  if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 254) throw new PluginMisuseError(`customers.ensure: not an email address: ${JSON.stringify(email)}`);
  const name = input.name?.trim() || email.split('@')[0]!;
  const user = await runAsSystem(database, async (system) => {
    const inserted = await system.one<{ id: string }>(
      'insert into users (email, name, password_hash) values ($1, $2, null) on conflict do nothing returning id',
      [email, name.slice(0, 120)],
    );
    if (inserted) return { id: inserted.id, created: true };
    const found = await system.one<{ id: string }>('select id from users where lower(email) = lower($1)', [email]);
    if (!found) throw new Error('customers.ensure: the user with this email vanished');
    return { id: found.id, created: false };
  });
  const joined = await db.one<{ id: string }>(
    "insert into memberships (user_id, kind) values ($1, 'customer') on conflict (tenant_id, user_id) do nothing returning id",
    [user.id],
  );
  if (joined) {
    await db.query("insert into membership_roles (membership_id, role_id) select $1, id from roles where builtin = 'customer'", [joined.id]);
    return { userId: user.id, created: user.created, kind: 'customer' };
  }
  const existing = await db.one<{ kind: 'staff' | 'customer' }>('select kind from memberships where user_id = $1', [user.id]);
  return { userId: user.id, created: user.created, kind: existing?.kind ?? 'customer' };
}

/**
 * A page path of the tenant to land on after signing in: `next` when it is a plain path under `/c/<slug>/` (no
 * scheme, host, `//`, backslash, dot segment, encoded dot, slash or backslash, or control character), else the tenant's
 * account page.
 */
export function safeNext(tenantSlug: string, next: string | null | undefined): string {
  const home = `/c/${tenantSlug}/account`;
  if (!next || next.length > 2000) return home;
  const prefix = `/c/${tenantSlug}/`;
  if (!next.startsWith(prefix) || hasControl(next) || /\\|\/\/|\/\.\.?(\/|$|\?|#)|%2e|%2f|%5c/i.test(next)) return home;
  return next;
}

function hasControl(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** Whether `next` is a path of the tenant's pages that {@link safeNext} keeps. */
export function isTenantPage(tenantSlug: string, next: string): boolean {
  return safeNext(tenantSlug, next) === next;
}

/**
 * Issues a single-use sign-in link for a member (staff or customer) of the tenant of `db`; only the token's hash is
 * stored. Answers the link's absolute URL, or undefined when the user is not a member of the tenant.
 */
export async function issueSignInLink(
  db: ScopedDb,
  input: { tenantSlug: string; publicUrl: string; userId: string; next: string; ttlSeconds?: number | undefined },
): Promise<string | undefined> {
  const ttl = Math.min(Math.max(Math.floor(input.ttlSeconds ?? signInLinkTtl.defaultSeconds), 60), signInLinkTtl.maxSeconds);
  const token = randomToken(32);
  const issued = await db.one<{ id: string }>(
    `insert into sign_in_links (user_id, token_hash, next, expires_at)
     select m.user_id, $2, $3, now() + make_interval(secs => $4) from memberships m where m.user_id = $1
     returning id`,
    [input.userId, sha256(token), safeNext(input.tenantSlug, input.next), ttl],
  );
  if (!issued) return undefined;
  return `${input.publicUrl}/c/${encodeURIComponent(input.tenantSlug)}/account/link?token=${token}`;
}

/** What redeeming a link found: its user and where to go. */
export interface RedeemedLink {
  userId: string;
  next: string;
}

/** Whether a link token is live in the tenant of `db` (unused, unexpired), without using it up. */
export async function linkIsLive(db: ScopedDb, token: string): Promise<boolean> {
  return (await db.one('select 1 from sign_in_links where token_hash = $1 and used_at is null and expires_at > now()', [sha256(token)])) !== undefined;
}

/**
 * Uses up a link of the tenant of `db`: one conditional update, so of concurrent redemptions exactly one wins.
 * Undefined for an unknown, used, expired or another tenant's token (Row Level Security hides those).
 */
export async function redeemSignInLink(db: ScopedDb, token: string): Promise<RedeemedLink | undefined> {
  const row = await db.one<{ user_id: string; next: string }>(
    `update sign_in_links set used_at = now(), updated_at = now()
      where token_hash = $1 and used_at is null and expires_at > now()
      returning user_id, next`,
    [sha256(token)],
  );
  return row ? { userId: row.user_id, next: row.next } : undefined;
}

/** The customers service of one plugin's unit of work (see `PluginCustomers`). */
export function pluginCustomers(input: { database: Database; db: ScopedDb; tenantSlug: string; publicUrl: () => string }): PluginCustomers {
  return {
    ensure: (customer) => ensureCustomer(input.database, input.db, customer),
    async signInLink({ userId, next, ttlSeconds }) {
      if (!isTenantPage(input.tenantSlug, next)) {
        throw new PluginMisuseError(`customers.signInLink: next must be a page path of this tenant (/c/${input.tenantSlug}/…), not ${JSON.stringify(next)}`);
      }
      const link = await issueSignInLink(input.db, { tenantSlug: input.tenantSlug, publicUrl: input.publicUrl(), userId, next, ttlSeconds });
      if (!link) throw new PluginMisuseError(`customers.signInLink: user ${userId} is not a member of this tenant`);
      return link;
    },
    pageUrl(path) {
      if (!isTenantPage(input.tenantSlug, path)) {
        throw new PluginMisuseError(`customers.pageUrl: path must be a page path of this tenant (/c/${input.tenantSlug}/…), not ${JSON.stringify(path)}`);
      }
      return `${input.publicUrl()}${path}`;
    },
    isPageUrl(url) {
      const root = `${input.publicUrl()}/c/${encodeURIComponent(input.tenantSlug)}/`;
      return URL.canParse(url) && new URL(url).href.startsWith(root);
    },
  };
}
