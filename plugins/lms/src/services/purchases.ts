import type { PluginAudit, PluginEvents, PluginMetrics, TenantDb, TenantMember } from '@plinth/sdk';
import { recordPurchase } from './audit.js';
import { enroll } from './enrollments.js';

interface PendingPurchase {
  id: string;
  order_id: string;
  course_id: string;
  course_title: string;
  unit_id: string | null;
}

/**
 * Enrols `member` in every course bought with their email that found no member at the time (`no_member`), and marks
 * those purchases `enrolled` (or `already_enrolled`). Called when a member opens `my/courses`, and by staff.
 */
export async function claimPurchases(
  deps: { db: TenantDb; events: PluginEvents; audit: PluginAudit; metrics: PluginMetrics },
  member: TenantMember,
  purchaseId?: string,
): Promise<number> {
  const pending = await deps.db.query<PendingPurchase>(
    `select p.id, p.order_id, p.course_id, c.title as course_title, c.unit_id from lms_purchases p join lms_courses c on c.id = p.course_id
      where p.outcome = 'no_member' and ($2::uuid is not null and p.id = $2 or $2::uuid is null and lower(p.customer_email) = lower($1))
      order by p.created_at for update of p`,
    [member.email, purchaseId ?? null],
  );
  for (const purchase of pending) {
    const course = { id: purchase.course_id, title: purchase.course_title };
    const { enrollment, created } = await enroll(deps, { course, learner: member, source: 'purchase', orderId: purchase.order_id });
    const outcome = created ? 'enrolled' : 'already_enrolled';
    await deps.db.query('update lms_purchases set outcome = $2, user_id = $3, enrollment_id = $4, updated_at = now() where id = $1', [
      purchase.id,
      outcome,
      member.userId,
      enrollment.id,
    ]);
    await recordPurchase(deps.audit, 'claimed', purchase, {
      before: { outcome: 'no_member', user_id: null, enrollment_id: null },
      after: { outcome, user_id: member.userId, enrollment_id: enrollment.id },
    });
  }
  return pending.length;
}
