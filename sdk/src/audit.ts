/**
 * One change a plugin records in the tenant's audit log (`deps.audit.record`). The action is
 * `<plugin>.<entity>.<verb>` (`lms.course.created`); the actor, the request id, the IP and the time come from the
 * request (a job or an event handler records no user: the actor is the plugin).
 */
export interface PluginAuditEntry {
  /** The kind of record, lower-case (`course`, `order`, `campaign`): the action's middle part and the target's type. */
  entity: string;
  /** What happened, past tense, lower-case (`created`, `updated`, `deleted`, `published`, `refunded`). */
  verb: string;
  /** The record's id. */
  target: string;
  /** The organisation unit the record belongs to, if the table has units: a unit-scoped reader sees the entry. */
  unit?: string | null;
  /** The record before the change (omit on create): with `after`, the entry keeps the fields that changed. */
  before?: object | null;
  /** The record after the change (omit on delete). */
  after?: object | null;
  /**
   * Fields whose values never reach the log (secrets, personal data): the entry says that they changed, not what
   * to. Names of top-level fields (`api_key`, `email`).
   */
  redact?: readonly string[];
  /** Anything else worth keeping (an amount refunded, a reason), stored as given: never put secrets here. */
  data?: Record<string, unknown>;
}

/**
 * The tenant's audit log, for a plugin's own actions (`deps.audit`). An entry is written in the unit of work's
 * transaction, so a change that rolls back leaves no entry, and one that commits always has one. The log is
 * append-only: nothing in the application can change or delete an entry; the host's retention removes old ones.
 *
 * @example
 * ```ts
 * const before = await deps.db.one('select * from lms_courses where id = $1 for update', [params.id]);
 * const after = await deps.db.one('update lms_courses set title = $2 where id = $1 returning *', [params.id, body.title]);
 * await deps.audit.record({ entity: 'course', verb: 'updated', target: params.id, unit: after.unit_id, before, after });
 * ```
 */
export interface PluginAudit {
  record(entry: PluginAuditEntry): Promise<void>;
}
