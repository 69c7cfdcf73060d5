import {
  Nullable,
  type PluginAudit,
  type PluginEvents,
  type PluginMetrics,
  type PluginMembers,
  type Static,
  type Stored,
  type TenantDb,
  type TenantMember,
  Timestamp,
  Type,
} from '@plinth/sdk';
import type { LearnerInfo } from '../contract.js';
import { enrollmentLearnerColumns, recordEnrollment } from './audit.js';
import { countEnrollment } from './metrics.js';

/** An enrolment as the API shows it. */
export const Enrollment = Type.Object({
  id: Type.String({ format: 'uuid' }),
  course_id: Type.String({ format: 'uuid' }),
  user_id: Type.String({ format: 'uuid' }),
  unit_id: Nullable(Type.String({ format: 'uuid', description: 'The course’s organisation unit' })),
  source: Type.Union([Type.Literal('self'), Type.Literal('manual'), Type.Literal('purchase')]),
  order_id: Nullable(Type.String()),
  expires_at: Nullable(Timestamp),
  progress_percent: Type.Integer(),
  completed_at: Nullable(Timestamp),
  last_activity_at: Timestamp,
  created_at: Timestamp,
  updated_at: Timestamp,
});

/** A stored enrolment, read with {@link enrollmentColumns}. */
export type EnrollmentRow = Stored<Static<typeof Enrollment>, 'expires_at' | 'completed_at' | 'last_activity_at' | 'created_at' | 'updated_at'>;

/** How an enrolment came about. */
export type EnrollmentSource = EnrollmentRow['source'];

/** Columns of an enrolment as the API shows it. */
export const enrollmentColumns =
  'id, course_id, user_id, unit_id, source, order_id, expires_at, progress_percent, completed_at, last_activity_at, created_at, updated_at';

/** The contract's view of a member. */
export function learnerInfo(member: TenantMember): LearnerInfo {
  return { userId: member.userId, email: member.email, name: member.name };
}

interface EnrollInput {
  course: { id: string; title: string };
  learner: TenantMember;
  source: EnrollmentSource;
  orderId?: string | null;
  expiresAt?: string | null;
}

/**
 * Enrols a member (idempotent: one enrolment per course and learner), in the course's organisation unit. A repeat
 * returns the existing enrolment, renewing it when the new grant says so (a manual `expires_at`, or a purchase: no
 * expiry), and noting the learner's current name and email (what a course's learner search finds). Emits
 * `lms.enrollment.created` only when it creates one; records what changed in the audit log.
 */
export async function enroll(
  deps: { db: TenantDb; events: PluginEvents; audit: PluginAudit; metrics: PluginMetrics },
  input: EnrollInput,
): Promise<{ enrollment: EnrollmentRow; created: boolean }> {
  const { db, events } = deps;
  const noted = { learner_name: input.learner.name, learner_email: input.learner.email };
  const [created] = await db.query<EnrollmentRow>(
    `insert into lms_enrollments (course_id, user_id, source, order_id, expires_at, learner_name, learner_email, unit_id)
     values ($1, $2, $3, $4, $5, $6, $7, (select unit_id from lms_courses where id = $1))
     on conflict (tenant_id, course_id, user_id) do nothing returning ${enrollmentColumns}`,
    [input.course.id, input.learner.userId, input.source, input.orderId ?? null, input.expiresAt ?? null, input.learner.name, input.learner.email],
  );
  if (created) {
    await recordEnrollment(deps.audit, 'created', { after: { ...created, ...noted } });
    countEnrollment(deps, input.source);
    await events.emit('lms.enrollment.created', {
      enrollmentId: created.id,
      courseId: input.course.id,
      courseTitle: input.course.title,
      learner: learnerInfo(input.learner),
      source: input.source,
      orderId: input.orderId ?? null,
    });
    return { enrollment: created, created: true };
  }
  const renew = input.source === 'purchase' || input.expiresAt !== undefined;
  const before = await db.one<EnrollmentRow & typeof noted>(
    `select ${enrollmentColumns}, ${enrollmentLearnerColumns} from lms_enrollments where course_id = $1 and user_id = $2 for update`,
    [input.course.id, input.learner.userId],
  );
  const [existing] = await db.query<EnrollmentRow>(
    `update lms_enrollments set expires_at = case when $3::boolean then $4::timestamptz else expires_at end,
            learner_name = $5, learner_email = $6, updated_at = now()
     where course_id = $1 and user_id = $2 returning ${enrollmentColumns}`,
    [input.course.id, input.learner.userId, renew, input.expiresAt ?? null, input.learner.name, input.learner.email],
  );
  const renamed = before!.learner_name !== noted.learner_name || before!.learner_email !== noted.learner_email;
  if (renew || renamed)
    await recordEnrollment(deps.audit, renew ? 'renewed' : 'updated', { before: before!, after: { ...existing!, ...noted }, data: { source: input.source } });
  return { enrollment: existing!, created: false };
}

/** Looks a member up, for enrolment payloads (a removed member still gets a name from their id). */
export async function memberOrPlaceholder(members: PluginMembers, userId: string): Promise<TenantMember> {
  return (await members.get(userId)) ?? { userId, name: '', email: '', roles: [], kind: 'customer' };
}
