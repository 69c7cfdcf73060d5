import type { PluginAudit } from '@plinth/sdk';

/** What a course's change is called in the audit log: a change of status names it (`published`), a move `moved`. */
export function courseAuditVerb(before: { status: string; unit_id: string | null }, after: { status: string; unit_id: string | null }): string {
  if (before.status !== after.status) return after.status === 'draft' ? 'unpublished' : after.status;
  return before.unit_id === after.unit_id ? 'updated' : 'moved';
}

/**
 * Lesson fields kept out of the log: the content may be half a megabyte of HTML, stored twice per change; the
 * entry says it changed (the lesson keeps the text).
 */
export const lessonAuditRedact = ['content_html'] as const;

/**
 * Personal data of the learner noted on an enrolment (their name and email as enrolled, for search): the entry says
 * they were set, not to what; the learner's id identifies them to those who may know.
 */
export const enrollmentAuditRedact = ['learner_name', 'learner_email'] as const;

/** The learner's noted name and email, read with an enrolment for the log (redacted there). */
export const enrollmentLearnerColumns = 'learner_name, learner_email';

/** An enrolment as recorded in the log. */
export type EnrollmentAuditRow = Record<string, unknown> & { id: string; unit_id: string | null };

/**
 * Records what became of a shop order's course purchase (`created` by the paid order, `claimed` by a member later).
 * The buyer's email is personal data: the entry says it was set, not to what.
 */
export function recordPurchase(
  audit: PluginAudit,
  verb: string,
  purchase: { id: string; order_id: string; course_id: string; unit_id: string | null },
  change: { before?: Record<string, unknown>; after: Record<string, unknown> },
): Promise<void> {
  return audit.record({
    entity: 'purchase',
    verb,
    target: purchase.id,
    unit: purchase.unit_id,
    ...change,
    redact: ['customer_email'],
    data: { order_id: purchase.order_id, course_id: purchase.course_id },
  });
}

/** Records a change of an enrolment (`created`, `renewed`, `updated`, `completed`, `deleted`…) under its unit. */
export function recordEnrollment(
  audit: PluginAudit,
  verb: string,
  change: { before?: EnrollmentAuditRow | undefined; after?: EnrollmentAuditRow | undefined; data?: Record<string, unknown> },
): Promise<void> {
  const row = (change.after ?? change.before)!;
  return audit.record({
    entity: 'enrollment',
    verb,
    target: row.id,
    unit: row.unit_id,
    redact: enrollmentAuditRedact,
    ...(change.before ? { before: change.before } : {}),
    ...(change.after ? { after: change.after } : {}),
    ...(change.data ? { data: change.data } : {}),
  });
}
