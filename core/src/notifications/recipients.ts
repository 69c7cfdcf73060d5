import type { NotifyRecipient } from '@plinth/sdk';
import { isUuid, type ScopedDb } from '../db/scoped-db.js';
import type { KernelServices } from '../kernel.js';
import { holds } from '../rbac/permissions.js';

/** A person a notification goes to: a member or customer of the tenant. */
export interface Recipient {
  userId: string;
  email: string;
  kind: 'staff' | 'customer';
  /** The user's own language, if chosen. */
  locale: string | null;
}

/** The people reached, once each, and why some recipients reached no one. */
export interface ResolvedRecipients {
  people: Recipient[];
  problems: string[];
}

const accountColumns = 'a.user_id as "userId", a.email, a.kind, a.locale';

/**
 * Resolves recipients within the transaction's tenant (Row Level Security and the tenant views see no one else): a
 * user id must be a member or customer of it; a role, a permission or a unit reach staff members only.
 */
export async function resolveRecipients(
  db: ScopedDb,
  services: Pick<KernelServices, 'tenantAccess' | 'orgUnits'>,
  tenantId: string,
  to: readonly NotifyRecipient[],
): Promise<ResolvedRecipients> {
  const people = new Map<string, Recipient>();
  const problems: string[] = [];
  const add = (rows: Recipient[]) => {
    for (const row of rows) people.set(row.userId, row);
  };
  for (const recipient of to) {
    const named = (field: 'role' | 'permission') => typeof (recipient as Record<string, unknown>)[field] === 'string';
    if (typeof recipient !== 'object' || recipient === null) {
      problems.push(`recipient ${JSON.stringify(recipient)} names no userId, role, permission or unitId`);
    } else if ('userId' in recipient) {
      const row = isUuid(String(recipient.userId))
        ? await db.one<Recipient>(`select ${accountColumns} from tenant_accounts a where a.user_id = $1`, [recipient.userId])
        : undefined;
      if (row) add([row]);
      else problems.push(`user ${String(recipient.userId)} is not a member or customer of this tenant`);
    } else if ('role' in recipient && named('role')) {
      add(
        await db.query<Recipient>(
          `select ${accountColumns} from tenant_accounts a where exists (select 1 from membership_roles mr join roles r on r.id = mr.role_id
             where mr.membership_id = a.membership_id and lower(r.name) = lower($1))`,
          [recipient.role],
        ),
      );
    } else if ('permission' in recipient && named('permission')) {
      const staff = await db.query<Recipient>(`select ${accountColumns} from tenant_accounts a where a.kind = 'staff'`);
      const access = await Promise.all(staff.map((member) => services.tenantAccess.of(tenantId, member.userId)));
      add(staff.filter((_member, index) => holds(access[index]?.permissions ?? [], recipient.permission)));
    } else if ('unitId' in recipient) {
      const tree = await services.orgUnits.treeOf(tenantId);
      const units = isUuid(String(recipient.unitId)) ? tree.subtree(recipient.unitId) : [];
      if (units.length === 0) {
        problems.push(`unit ${String(recipient.unitId)} is not a unit of this tenant`);
        continue;
      }
      add(
        await db.query<Recipient>(
          `select ${accountColumns} from tenant_accounts a where exists (select 1 from membership_roles mr
             where mr.membership_id = a.membership_id and mr.unit_id = any($1))`,
          [units],
        ),
      );
    } else {
      problems.push(`recipient ${JSON.stringify(recipient)} names no userId, role, permission or unitId`);
    }
  }
  return { people: [...people.values()], problems };
}
