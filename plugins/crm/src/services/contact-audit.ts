import type { PluginAudit, TenantDb } from '@plinth/sdk';
import { recordChange, type RecordedChange } from './record-change.js';

/** A contact as the audit log compares it: the fields a person changes (no id, timestamps or search data). */
export type AuditedContact = Record<string, unknown> & { unit_id: string | null };

/** The columns of {@link AuditedContact}, on the contacts table. */
export const auditedContactColumns = 'name, email, phone, company, tags, custom_fields, source, score, owner_id, unit_id, deleted_at';

/**
 * A contact's personal data: the log says these changed, never from or to what. Custom fields are the tenant's own
 * (an address, a birthday): redacted whole.
 */
export const contactPersonalData = ['name', 'email', 'phone', 'custom_fields'] as const;

/** Locks a contact (live, or in the trash with `deleted`) for a change and reads it as the log compares it; undefined when there is none. */
export async function lockContact(db: TenantDb, id: string, options: { deleted?: boolean } = {}): Promise<AuditedContact | undefined> {
  return db.one<AuditedContact>(`select ${auditedContactColumns} from crm_contacts where id = $1 and (deleted_at is null) = $2 for update`, [
    id,
    !options.deleted,
  ]);
}

/** Records a change of contact `id` (`crm.contact.<verb>`) with its diff, personal data redacted, in its unit. */
export function recordContact(audit: PluginAudit, verb: string, id: string, change: RecordedChange<AuditedContact>): Promise<void> {
  return recordChange(audit, 'contact', verb, id, change, contactPersonalData);
}
