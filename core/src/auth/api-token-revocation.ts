import type { AuditEntry } from '../audit/audit.js';
import type { ScopedDb } from '../db/scoped-db.js';
import type { KernelServices } from '../kernel.js';
import { grantsOfMembers } from '../rbac/grants.js';
import { notHeld } from '../rbac/permissions.js';

/** What revocation needs of a tenant route's input. */
export interface RevocationInput {
  db: ScopedDb;
  deps: Pick<KernelServices, 'apiTokenAuth' | 'tenantAccess'>;
  tenantId: string;
  audit(entry: AuditEntry): Promise<void>;
}

/** An API token as revocation needs it. */
export interface TokenRow {
  id: string;
  token_hash: string;
  created_by: string | null;
  permissions: string[];
}

/** Revokes `tokens`, audits each with `reason`, and drops their cached grants once committed. */
export async function revokeTokens(
  { db, deps, tenantId, audit }: RevocationInput,
  tokens: readonly Pick<TokenRow, 'id' | 'token_hash'>[],
  reason: string,
): Promise<void> {
  if (tokens.length === 0) return;
  await db.query('update api_tokens set revoked_at = now(), updated_at = now() where id = any($1::uuid[])', [tokens.map((token) => token.id)]);
  for (const token of tokens) await audit({ action: 'api_token.revoked', targetType: 'api_token', targetId: token.id, data: { reason } });
  // The grant is cached by hash: drop it once the revocation is visible, so the next request sees it.
  db.afterCommit(() => Promise.all(tokens.map((token) => deps.apiTokenAuth.forget(tenantId, token.token_hash))));
}

async function activeTokensOf(db: ScopedDb, userIds: readonly string[]): Promise<TokenRow[]> {
  return db.query<TokenRow>(
    'select id, token_hash, created_by, permissions from api_tokens where created_by = any($1::uuid[]) and revoked_at is null for update',
    [userIds],
  );
}

/** Revokes every API token `userId` created in the tenant (they are leaving it). */
export async function revokeTokensOfMember(input: RevocationInput, userId: string): Promise<void> {
  await revokeTokens(input, await activeTokensOf(input.db, [userId]), 'member_removed');
}

/**
 * Keeps API tokens a subset of their creator's permissions: after members'
 * roles change, revokes each token of theirs that holds a permission its
 * creator no longer does.
 */
export async function revokeTokensBeyondGrants(input: RevocationInput, userIds: readonly string[]): Promise<void> {
  if (userIds.length === 0) return;
  const tokens = await activeTokensOf(input.db, userIds);
  if (tokens.length === 0) return;
  const grants = await grantsOfMembers(input.db, input.deps, input.tenantId, userIds);
  const excessive = tokens.filter((token) => notHeld(grants.get(token.created_by!) ?? [], token.permissions).length > 0);
  await revokeTokens(input, excessive, 'creator_lost_permissions');
}
