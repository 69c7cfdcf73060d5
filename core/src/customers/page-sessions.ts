import { ForbiddenError } from '@plinth/sdk';
import type { Identity } from '../auth/identity.js';
import { randomToken, sha256 } from '../crypto/secrets.js';
import type { Database } from '../db/database.js';
import { runInTenant, type ScopedDb } from '../db/scoped-db.js';

/** The name of the page-session cookie (HttpOnly, `Path=/c/<tenant slug>`, see {@link pageSessionCookie}). */
export const pageCookieName = 'plinth_page';

/** Sliding lifetime of a page session: each use (at most once an hour) moves its end 30 days on. */
export const pageSessionDays = 30;

/** A page session as the request path sees it: the user it signs in and its row (for sign-out). */
export interface PageSession {
  id: string;
  userId: string;
  isSuperAdmin: boolean;
}

/** The `plinth_page` value of a Cookie header, or undefined (read only when the header mentions it). */
export function pageCookieOf(header: string | undefined): string | undefined {
  if (!header || !header.includes(pageCookieName)) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === pageCookieName) {
      const value = part.slice(at + 1).trim();
      return /^[A-Za-z0-9_-]{20,100}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

/**
 * The live session a cookie names in `tenantId`, or undefined: unknown, revoked, expired, of another tenant (Row
 * Level Security hides it), of a disabled user, or older than the user's last "sign out everywhere" or password
 * change (token version). Read per request, never cached: a sign-out takes effect on the next request.
 */
export async function findPageSession(database: Database, identity: Identity, tenantId: string, secret: string): Promise<PageSession | undefined> {
  const row = await runInTenant(database, tenantId, (db) =>
    db.one<{ id: string; user_id: string; token_version: number }>(
      `with found as (
         select id, user_id, token_version, last_used_at from page_sessions
          where token_hash = $1 and revoked_at is null and expires_at > now()),
       touched as (
         update page_sessions p set last_used_at = now(), expires_at = now() + make_interval(days => $2), updated_at = now()
           from found where p.id = found.id and found.last_used_at < now() - interval '1 hour')
       select id, user_id, token_version from found`,
      [sha256(secret), pageSessionDays],
    ),
  );
  if (!row) return undefined;
  const state = await identity.stateOf(row.user_id);
  if (!state || state.status !== 'active' || state.tokenVersion !== row.token_version) return undefined;
  return { id: row.id, userId: row.user_id, isSuperAdmin: state.isSuperAdmin };
}

/** Starts a page session for a user in the transaction's tenant; returns the cookie's secret (only its hash is stored). */
export async function startPageSession(
  db: ScopedDb,
  input: { userId: string; tokenVersion: number; ip?: string | null; userAgent?: string | null },
): Promise<string> {
  const secret = randomToken(32);
  await db.query(
    `insert into page_sessions (user_id, token_hash, token_version, expires_at, ip, user_agent)
     values ($1, $2, $3, now() + make_interval(days => $4), $5, $6)`,
    [input.userId, sha256(secret), input.tokenVersion, pageSessionDays, input.ip ?? null, input.userAgent ?? null],
  );
  return secret;
}

/** Revokes a page session at once (sign-out). */
export async function revokePageSession(db: ScopedDb, id: string): Promise<void> {
  await db.query('update page_sessions set revoked_at = now(), updated_at = now() where id = $1 and revoked_at is null', [id]);
}

/**
 * The `Set-Cookie` value of a page session for a tenant's pages (`secret` undefined: the cookie is cleared).
 * `Secure` unless the host's public URL is plain http (local development).
 */
export function pageSessionCookie(tenantSlug: string, secret: string | undefined, publicUrl: string): string {
  const parts = [
    `${pageCookieName}=${secret ?? ''}`,
    `Path=/c/${encodeURIComponent(tenantSlug)}`,
    'HttpOnly',
    'SameSite=Lax',
    `Max-Age=${secret ? pageSessionDays * 86_400 : 0}`,
  ];
  if (!publicUrl.startsWith('http:')) parts.push('Secure');
  return parts.join('; ');
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A state-changing request signed in by cookie must come from a page of the same host: its `Origin` (or, without
 * one, its `Referer`) names the request's host, else 403. Bearer-token requests never reach this check.
 */
export function assertSameOrigin(request: { method: string; host: string; get(name: string): string }): void {
  if (safeMethods.has(request.method)) return;
  const source = request.get('origin') || request.get('referer');
  let host: string | undefined;
  try {
    host = source && source !== 'null' ? new URL(source).host : undefined;
  } catch {
    host = undefined;
  }
  if (!host || host.toLowerCase() !== request.host.toLowerCase()) {
    throw new ForbiddenError('Cross-site request refused: a signed-in page form must be sent from this site');
  }
}
