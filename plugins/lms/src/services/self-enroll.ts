import {
  ConflictError,
  ForbiddenError,
  type PluginAudit,
  type PluginEvents,
  type PluginMembers,
  type PluginMetrics,
  type RequestContext,
  type TenantDb,
} from '@plinth/sdk';
import { callerId, type CourseAccessRow } from './access.js';
import { enroll, type EnrollmentRow } from './enrollments.js';

/**
 * Enrols the caller in a published free course they can see (the JSON route and the course page's "Enrol" form):
 * 409 for a course not published, 403 for one sold in the shop or a caller who is neither member nor customer of
 * the tenant. Idempotent (`created: false` when already enrolled).
 */
export async function enrollSelf(
  deps: { db: TenantDb; events: PluginEvents; members: PluginMembers; audit: PluginAudit; metrics: PluginMetrics },
  ctx: RequestContext<unknown>,
  course: CourseAccessRow,
): Promise<{ enrollment: EnrollmentRow; created: boolean }> {
  if (course.status !== 'published') throw new ConflictError('Only published courses take enrolments');
  if (course.shop_product_id) throw new ForbiddenError('This course is sold in the shop: buy it to enrol');
  const member = await deps.members.get(callerId(ctx));
  if (!member) throw new ForbiddenError('Only members of the tenant may enrol');
  return enroll(deps, { course, learner: member, source: 'self' });
}
