import type {} from '@plinth/plugin-shop';
import type { Builders } from '../deps.js';
import { enroll } from '../services/enrollments.js';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `shop.order.paid` → enrolment in every course a line sells (the course's `shop_product_id` is the line's
 * product, or the line's metadata names `lms_course_id`). The buyer is the order's `customer.userId`, else the
 * member with the customer's email. Each (order, course) is recorded once in `lms_purchases` — a redelivered or
 * repeated event changes nothing — with its outcome: `enrolled`, `already_enrolled` or `no_member` (nobody to enrol
 * yet: staff see it in `GET /purchases` and enrol by hand).
 */
export function orderPaidHandler({ on }: Builders) {
  return on('shop.order.paid', async ({ event, deps }) => {
    const { orderId, customer, lines } = event.payload;
    const productIds = [...new Set(lines.map((line) => line.productId).filter((id) => uuidPattern.test(id)))];
    const named = [...new Set(lines.map((line) => line.metadata?.lms_course_id).filter((id): id is string => typeof id === 'string' && uuidPattern.test(id)))];
    if (!productIds.length && !named.length) return;
    const courses = await deps.db.query<{ id: string; title: string }>(
      'select id, title from lms_courses where shop_product_id = any($1::uuid[]) or id = any($2::uuid[]) order by created_at',
      [productIds, named],
    );
    if (!courses.length) return;
    const byId = customer.userId ? await deps.members.get(customer.userId) : undefined;
    const byEmail = byId ?? (await deps.members.list()).find((member) => member.email.toLowerCase() === customer.email.toLowerCase());
    for (const course of courses) {
      const [purchase] = await deps.db.query<{ id: string }>(
        `insert into lms_purchases (order_id, course_id, customer_email, user_id, outcome) values ($1, $2, $3, $4, 'pending')
         on conflict (tenant_id, order_id, course_id) do nothing returning id`,
        [orderId, course.id, customer.email, byEmail?.userId ?? null],
      );
      if (!purchase) continue;
      if (!byEmail) {
        await deps.db.query(`update lms_purchases set outcome = 'no_member' where id = $1`, [purchase.id]);
        deps.logger.warn({ orderId, courseId: course.id }, 'paid course order without a matching member: recorded, not enrolled');
        continue;
      }
      const { enrollment, created } = await enroll(deps, { course, learner: byEmail, source: 'purchase', orderId });
      await deps.db.query('update lms_purchases set outcome = $2, enrollment_id = $3 where id = $1', [
        purchase.id,
        created ? 'enrolled' : 'already_enrolled',
        enrollment.id,
      ]);
    }
  });
}
