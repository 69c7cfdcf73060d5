import { ForbiddenError, ValidationError } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import type { ScopedDb } from '../db/scoped-db.js';
import type { KernelServices } from '../kernel.js';
import { covers, isPermissionPattern, notHeld, type PermissionDefinition } from './permissions.js';

/** A list of permission patterns in a request body (roles, API tokens). */
export function PermissionList(options: { minItems: number }) {
  return Type.Array(Type.String({ minLength: 1, maxLength: 120 }), { minItems: options.minItems, maxItems: 100, uniqueItems: true });
}

/** Whether a valid pattern names something the catalogue has: `*`, a known permission, or a prefix wildcard covering one. */
function isKnown(pattern: string, catalogue: readonly PermissionDefinition[]): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return catalogue.some((permission) => covers(pattern, permission.name));
  return catalogue.some((permission) => permission.name === pattern);
}

/** 422 naming each entry of `patterns` that is not a permission pattern or names nothing in the catalogue. */
export function checkPermissionList(patterns: readonly string[], catalogue: readonly PermissionDefinition[], field = 'permissions'): void {
  const errors: Record<string, string[]> = {};
  patterns.forEach((pattern, index) => {
    if (!isPermissionPattern(pattern)) errors[`${field}.${index}`] = ['must be a permission like "crm.contacts.view", or a wildcard like "crm.*"'];
    else if (!isKnown(pattern, catalogue)) errors[`${field}.${index}`] = [`names no known permission: ${pattern}`];
  });
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
}

/**
 * Nobody grants what they do not hold: 403 naming what `held` lacks of
 * `wanted`. `verb` says what the actor tried (granting, or taking away).
 */
export function assertMayGrant(held: readonly string[], wanted: readonly string[], verb = 'grant'): void {
  const missing = notHeld(held, [...new Set(wanted)]);
  if (missing.length > 0) throw new ForbiddenError(`You cannot ${verb} permissions you do not hold: ${missing.join(', ')}`);
}

/**
 * The effective permissions of members as the transaction sees them (so
 * including its own uncommitted role changes, unlike the cached access).
 */
export async function grantsOfMembers(
  db: ScopedDb,
  services: Pick<KernelServices, 'tenantAccess'>,
  tenantId: string,
  userIds: readonly string[],
): Promise<Map<string, string[]>> {
  const grantsOf = await services.tenantAccess.grantsIn(tenantId);
  const rows = await db.query<{ user_id: string; builtin: string | null; permissions: string[] | null }>(
    `select m.user_id, r.builtin, r.permissions
       from memberships m
       left join membership_roles mr on mr.membership_id = m.id and mr.unit_id is null
       left join roles r on r.id = mr.role_id
      where m.user_id = any($1::uuid[])`,
    [userIds],
  );
  const grants = new Map<string, Set<string>>();
  for (const row of rows) {
    const held = grants.get(row.user_id) ?? new Set<string>();
    grants.set(row.user_id, held);
    if (row.permissions === null) continue;
    for (const permission of grantsOf({ builtin: row.builtin, permissions: row.permissions })) held.add(permission);
  }
  return new Map([...grants].map(([userId, held]) => [userId, [...held]]));
}
