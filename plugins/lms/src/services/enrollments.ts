import type { PluginEvents, PluginMembers, TenantDb, TenantMember } from '@plinth/sdk';
import type { LearnerInfo } from '../contract.js';

/** How an enrolment came about. */
export type EnrollmentSource = 'self' | 'manual' | 'purchase';

export interface EnrollmentRow {
  id: string;
  course_id: string;
  user_id: string;
  source: EnrollmentSource;
  order_id: string | null;
  expires_at: Date | null;
  progress_percent: number;
  completed_at: Date | null;
  last_activity_at: Date;
  created_at: Date;
}

/** Columns of an enrolment as the API shows it. */
export const enrollmentColumns =
  'id, course_id, user_id, source, order_id, expires_at, progress_percent, completed_at, last_activity_at, created_at, updated_at';

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
 * Enrols a member (idempotent: one enrolment per course and learner). A repeat returns the existing enrolment,
 * renewing it when the new grant says so (a manual `expires_at`, or a purchase: no expiry). Emits
 * `lms.enrollment.created` only when it creates one.
 */
export async function enroll(deps: { db: TenantDb; events: PluginEvents }, input: EnrollInput): Promise<{ enrollment: EnrollmentRow; created: boolean }> {
  const { db, events } = deps;
  const [created] = await db.query<EnrollmentRow>(
    `insert into lms_enrollments (course_id, user_id, source, order_id, expires_at) values ($1, $2, $3, $4, $5)
     on conflict (tenant_id, course_id, user_id) do nothing returning ${enrollmentColumns}`,
    [input.course.id, input.learner.userId, input.source, input.orderId ?? null, input.expiresAt ?? null],
  );
  if (created) {
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
  const [existing] = await db.query<EnrollmentRow>(
    `update lms_enrollments set expires_at = case when $3::boolean then $4::timestamptz else expires_at end, updated_at = now()
     where course_id = $1 and user_id = $2 returning ${enrollmentColumns}`,
    [input.course.id, input.learner.userId, renew, input.expiresAt ?? null],
  );
  return { enrollment: existing!, created: false };
}

/** Looks a member up, for enrolment payloads (a removed member still gets a name from their id). */
export async function memberOrPlaceholder(members: PluginMembers, userId: string): Promise<TenantMember> {
  return (await members.get(userId)) ?? { userId, name: '', email: '', roles: [] };
}
