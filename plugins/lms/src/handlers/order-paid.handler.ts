import type {} from '@plinth/plugin-shop';
import type { Builders } from '../deps.js';
import { coursesSold } from '../services/course-lines.js';
import { recordPurchase } from '../services/audit.js';
import { enroll } from '../services/enrollments.js';

/**
 * `shop.order.paid` → enrolment in every course a line sells (the course's `shop_product_id` is the line's
 * product, or the line's metadata names `lms_course_id`). The buyer is the order's `customer.userId` — the shop
 * gives every paid order's buyer an account (a customer membership, unless they are staff) before it emits the
 * event — else, for orders from elsewhere, the staff member with the customer's email. Each (order, course) is
 * recorded once in `lms_purchases`, so a redelivered or repeated event changes nothing, with its outcome:
 * `enrolled`, `already_enrolled` or `no_member` (nobody to enrol yet: staff see it in `GET /purchases`).
 */
export function orderPaidHandler({ on }: Builders) {
  return on('shop.order.paid', async ({ event, deps }) => {
    const { orderId, customer, lines } = event.payload;
    const courses = await coursesSold(deps.db, lines);
    if (!courses.length) return;
    const byId = customer.userId ? await deps.members.get(customer.userId) : undefined;
    const buyer = byId ?? (await deps.members.byEmail(customer.email));
    for (const course of courses) {
      const [purchase] = await deps.db.query<{ id: string }>(
        `insert into lms_purchases (order_id, course_id, customer_email, user_id, outcome) values ($1, $2, $3, $4, 'pending')
         on conflict (tenant_id, order_id, course_id) do nothing returning id`,
        [orderId, course.id, customer.email, buyer?.userId ?? null],
      );
      if (!purchase) continue;
      const recorded = { id: purchase.id, order_id: orderId, course_id: course.id, unit_id: course.unitId };
      const noted = { customer_email: customer.email, user_id: buyer?.userId ?? null };
      if (!buyer) {
        await deps.db.query(`update lms_purchases set outcome = 'no_member' where id = $1`, [purchase.id]);
        await recordPurchase(deps.audit, 'created', recorded, { after: { ...noted, outcome: 'no_member', enrollment_id: null } });
        deps.logger.warn({ orderId, courseId: course.id }, 'paid course order without a matching member: recorded, not enrolled');
        continue;
      }
      const { enrollment, created } = await enroll(deps, { course, learner: buyer, source: 'purchase', orderId });
      const outcome = created ? 'enrolled' : 'already_enrolled';
      await deps.db.query('update lms_purchases set outcome = $2, enrollment_id = $3 where id = $1', [purchase.id, outcome, enrollment.id]);
      await recordPurchase(deps.audit, 'created', recorded, { after: { ...noted, outcome, enrollment_id: enrollment.id } });
    }
  });
}
