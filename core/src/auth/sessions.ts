import { randomUUID } from 'node:crypto';
import { UnauthenticatedError } from '@plinth/sdk';
import type { AuditActor } from '../audit/audit.js';
import { recordHostAudit } from '../audit/audit.js';
import { randomToken, sha256 } from '../crypto/secrets.js';
import { runAsSystem, type ScopedDb } from '../db/scoped-db.js';
import type { KernelServices } from '../kernel.js';

/** The `tokens` object of the API. */
export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

const refreshTtlMs = 30 * 24 * 3600 * 1000;

/** How a session was started: stored with it and shown in `GET /me/sessions`. */
export type SignInMethod = 'password' | 'passkey' | 'oidc' | 'sso' | 'magic-link' | 'invitation' | 'registration';

/** Every {@link SignInMethod} (the database's check constraint lists the same). */
export const signInMethods: readonly SignInMethod[] = ['password', 'passkey', 'oidc', 'sso', 'magic-link', 'invitation', 'registration'];

async function issue(
  db: ScopedDb,
  services: Pick<KernelServices, 'accessTokens'>,
  user: { id: string; token_version: number },
  familyId: string,
  actor: AuditActor,
  method: SignInMethod,
): Promise<TokenPair> {
  const refreshToken = randomToken(32);
  await db.query(
    `insert into refresh_tokens (user_id, family_id, token_hash, expires_at, ip, user_agent, method)
     values ($1, $2, $3, now() + make_interval(secs => $4), $5, $6, $7)`,
    [user.id, familyId, sha256(refreshToken), refreshTtlMs / 1000, actor.ip ?? null, actor.userAgent ?? null, method],
  );
  const accessToken = await services.accessTokens.sign({ userId: user.id, sessionId: familyId, tokenVersion: user.token_version });
  return { access_token: accessToken, refresh_token: refreshToken, token_type: 'Bearer', expires_in: services.accessTokens.ttlSeconds };
}

/**
 * Starts a session (a new refresh-token family) for a user who just proved who they are, recording how (`method`,
 * default `password`). `db` is on the system path. With `services.identity`, the user's cached state is dropped once
 * `db` commits; without it, the first request of the new session reads it again (see `Identity.stateForSession`).
 */
export function startSession(
  db: ScopedDb,
  services: Pick<KernelServices, 'accessTokens'> & Partial<Pick<KernelServices, 'identity'>>,
  user: { id: string; token_version: number },
  actor: AuditActor,
  method: SignInMethod = 'password',
): Promise<TokenPair> {
  const { identity } = services;
  if (identity) db.afterCommit(() => identity.forget(user.id));
  return issue(db, services, user, randomUUID(), actor, method);
}

interface RefreshRow {
  id: string;
  user_id: string;
  family_id: string;
  used_at: Date | null;
  revoked_at: Date | null;
  expired: boolean;
  token_version: number;
  status: string;
  method: SignInMethod;
}

/**
 * Trades a refresh token for a new pair; the old one stops working. Presenting
 * a spent token again means it was stolen or replayed: its whole family
 * (every token of that sign-in) is revoked, and that is audited.
 */
export async function rotateSession(
  db: ScopedDb,
  services: Pick<KernelServices, 'accessTokens' | 'database' | 'identity'>,
  refreshToken: string,
  actor: AuditActor,
): Promise<TokenPair> {
  const row = await db.one<RefreshRow>(
    `select t.id, t.user_id, t.family_id, t.used_at, t.revoked_at, t.expires_at <= now() as expired, t.method, u.token_version, u.status
       from refresh_tokens t join users u on u.id = t.user_id
      where t.token_hash = $1`,
    [sha256(refreshToken)],
  );
  if (!row || row.revoked_at || row.expired || row.status !== 'active') throw new UnauthenticatedError('Invalid refresh token');
  // Spending is a conditional update, so of concurrent uses exactly one wins; the losers hold the row lock of the spent
  // token until the request ends, and no other.
  const spent = row.used_at ? [] : await db.query('update refresh_tokens set used_at = now() where id = $1 and used_at is null returning id', [row.id]);
  if (spent.length === 0) {
    // Its own transaction: the revocation must survive the 401 that rolls the request back. It leaves the presented
    // (already spent) token alone: this request may hold its lock, which the second transaction would wait on forever.
    await runAsSystem(services.database, async (system) => {
      await system.query('update refresh_tokens set revoked_at = now() where family_id = $1 and revoked_at is null and id <> $2', [row.family_id, row.id]);
      await recordHostAudit(system, { ...actor, userId: row.user_id }, { action: 'auth.refresh.reused', targetType: 'session', targetId: row.family_id });
    });
    await services.identity.forget(row.user_id);
    throw new UnauthenticatedError('Invalid refresh token');
  }
  return issue(db, services, { id: row.user_id, token_version: row.token_version }, row.family_id, actor, row.method);
}

/** Ends the session a refresh token belongs to: its family is revoked and its access tokens stop working on the next request. */
export async function endSession(
  db: ScopedDb,
  services: Pick<KernelServices, 'identity'>,
  refreshToken: string,
): Promise<{ userId: string; sessionId: string } | undefined> {
  const row = await db.one<{ user_id: string; family_id: string }>(
    `update refresh_tokens set revoked_at = now() where family_id = (select family_id from refresh_tokens where token_hash = $1) and revoked_at is null
     returning user_id, family_id`,
    [sha256(refreshToken)],
  );
  if (row) db.afterCommit(() => services.identity.forget(row.user_id));
  return row ? { userId: row.user_id, sessionId: row.family_id } : undefined;
}

/**
 * Ends every live session of the user but `keep` (the caller's `principal.sessionId`; null ends them all): their
 * refresh tokens are revoked, and their access tokens stop working on the next request once `db` commits; the
 * user's sessions on tenants' pages (cookies) end too. `db` is on the system path. Answers how many API sessions
 * ended. Password changes, 2FA changes and passkey removal call it.
 */
export async function endOtherSessions(db: ScopedDb, services: Pick<KernelServices, 'identity'>, userId: string, keep: string | null): Promise<number> {
  const ended = await db.query<{ family_id: string }>(
    `update refresh_tokens set revoked_at = now()
      where user_id = $1 and revoked_at is null and ($2::uuid is null or family_id <> $2::uuid)
     returning family_id`,
    [userId, keep],
  );
  await db.query(
    'update page_sessions set revoked_at = now(), updated_at = now() where user_id = $1 and revoked_at is null and ($2::uuid is null or id <> $2::uuid)',
    [userId, keep],
  );
  db.afterCommit(() => services.identity.forget(userId));
  return new Set(ended.map((row) => row.family_id)).size;
}

/** One live session as `GET /me/sessions` lists it (before the user agent is read). */
export interface SessionRow {
  id: string;
  method: SignInMethod;
  ip: string | null;
  user_agent: string | null;
  created_at: Date;
  last_used_at: Date;
}

/**
 * The families of a user that are live: none of their tokens revoked (a replayed refresh token revokes all but the
 * spent one it presented) and one still unexpired. The same rule as the identity's `liveSessions`.
 */
const liveFamilies = `select family_id from refresh_tokens where user_id = $1 and expires_at > now()
  group by family_id having bool_and(revoked_at is null)`;

/** The user's live sessions, most recently used first: started (first token), last used (newest token), where from (newest token). */
export function listSessions(db: ScopedDb, userId: string): Promise<SessionRow[]> {
  return db.query<SessionRow>(
    `select t.family_id as id, min(t.method) as method, min(t.created_at) as created_at, max(t.created_at) as last_used_at,
            (array_agg(t.ip order by t.created_at desc))[1] as ip, (array_agg(t.user_agent order by t.created_at desc))[1] as user_agent
       from refresh_tokens t
      where t.user_id = $1 and t.family_id in (${liveFamilies})
      group by t.family_id
      order by max(t.created_at) desc, t.family_id`,
    [userId],
  );
}

/** Ends one live session of the user; false when it is not theirs, unknown or already over. */
export async function endSessionOf(db: ScopedDb, services: Pick<KernelServices, 'identity'>, userId: string, sessionId: string): Promise<boolean> {
  const ended = await db.query(
    `update refresh_tokens set revoked_at = now()
      where user_id = $1 and family_id = $2 and revoked_at is null and family_id in (${liveFamilies})
     returning id`,
    [userId, sessionId],
  );
  if (ended.length === 0) return false;
  db.afterCommit(() => services.identity.forget(userId));
  return true;
}
