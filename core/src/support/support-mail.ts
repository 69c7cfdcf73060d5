import type { Database } from '../db/database.js';
import { runInTenant } from '../db/scoped-db.js';
import { coreNotify, type NotifyServices } from '../notifications/plugin-notify.js';
import { corePermissions } from '../rbac/permissions.js';

/** What the owners are told of a new request. */
export interface SupportRequestNotice {
  operator: string;
  reason: string;
  minutes: number;
  role: string | null;
  pending: boolean;
}

/**
 * Notifies whoever decides support access in the tenant (`core.support.manage`: its owners) with the template
 * `core.support-access-requested`: in their inbox, and by email unless they turned it off, each in their own
 * language, else the tenant's. Called after the request commits: the request stands without the notification.
 */
export async function notifyOwners(
  services: NotifyServices & { database: Database },
  tenant: { id: string; slug: string; name: string },
  notice: SupportRequestNotice,
): Promise<void> {
  await runInTenant(services.database, tenant.id, (db) =>
    coreNotify(services, db, tenant).send({
      to: { permission: corePermissions['support.manage'].name },
      template: 'core.support-access-requested',
      data: {
        tenant: tenant.name,
        operator: notice.operator,
        reason: notice.reason,
        minutes: notice.minutes,
        readOnly: String(notice.role === null),
        role: notice.role ?? '',
        pending: String(notice.pending),
      },
      link: '/support-access',
    }),
  );
}
