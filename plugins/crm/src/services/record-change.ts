import type { PluginAudit } from '@plinth/sdk';

/** A record as the audit log compares it: the fields a person changes, with its unit when the table has units. */
export type AuditedRow = Record<string, unknown> & { unit_id?: string | null };

/** One change of a record: its fields before (omit on create) and after (omit on delete), and anything else worth keeping. */
export interface RecordedChange<Row extends AuditedRow> {
  before?: Row | undefined;
  after?: Row | undefined;
  data?: Record<string, unknown>;
}

/**
 * Records `crm.<entity>.<verb>` for record `id` in the audit log, with its diff (the `redact` fields' values left
 * out) and in the record's unit, so that the unit's readers see the entry.
 */
export function recordChange<Row extends AuditedRow>(
  audit: PluginAudit,
  entity: string,
  verb: string,
  id: string,
  change: RecordedChange<Row>,
  redact?: readonly string[],
): Promise<void> {
  const unit = (change.after ?? change.before)?.unit_id ?? null;
  return audit.record({ entity, verb, target: id, unit, before: change.before, after: change.after, data: change.data, ...(redact ? { redact } : {}) });
}
