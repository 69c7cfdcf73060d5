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

async function issue(
  db: ScopedDb,
  services: Pick<KernelServices, 'accessTokens'>,
  user: { id: string; token_version: number },
  familyId: string,
  actor: AuditActor,
): Promise<TokenPair> {
  const refreshToken = randomToken(32);
  await db.query(
    `insert into refresh_tokens (user_id, family_id, token_hash, expires_at, ip, user_agent) values ($1, $2, $3, now() + make_interval(secs => $4), $5, $6)`,
    [user.id, familyId, sha256(refreshToken), refreshTtlMs / 1000, actor.ip ?? null, actor.userAgent ?? null],
  );
  const accessToken = await services.accessTokens.sign({ userId: user.id, sessionId: familyId, tokenVersion: user.token_version });
  return { access_token: accessToken, refresh_token: refreshToken, token_type: 'Bearer', expires_in: services.accessTokens.ttlSeconds };
}

/** Starts a session (a new refresh-token family) for a user who just proved who they are. `db` is on the system path. */
export function startSession(
  db: ScopedDb,
  services: Pick<KernelServices, 'accessTokens'>,
  user: { id: string; token_version: number },
  actor: AuditActor,
): Promise<TokenPair> {
  return issue(db, services, user, randomUUID(), actor);
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
    `select t.id, t.user_id, t.family_id, t.used_at, t.revoked_at, t.expires_at <= now() as expired, u.token_version, u.status
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
  return issue(db, services, { id: row.user_id, token_version: row.token_version }, row.family_id, actor);
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
