import {
  commonErrors,
  listPage,
  type AnyRoute,
  ConflictError,
  NotFoundError,
  Nullable,
  PageQuery,
  paginate,
  Reply,
  type Static,
  type Stored,
  Timestamp,
  toJson,
  Type,
  withStatus,
} from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { lmsPermissions as permissions } from '../permissions.js';
import { requireMembers } from '../services/members.js';
import { claimPurchases } from '../services/purchases.js';
import { IdParams, MemberId } from '../services/schemas.js';
import { unitFilter, UnitQuery } from '../services/units.js';

const purchaseColumns = 'p.id, p.order_id, p.course_id, p.customer_email, p.user_id, p.enrollment_id, p.outcome, p.created_at, p.updated_at';
/** Purchases with their course: a unit's staff see those of the courses they reach (the course's row policy). */
const purchasesOfCourses = 'lms_purchases p join lms_courses c on c.id = p.course_id';
const Outcome = Type.Union([Type.Literal('enrolled'), Type.Literal('already_enrolled'), Type.Literal('no_member')]);
const Purchase = Type.Object({
  id: Type.String({ format: 'uuid' }),
  order_id: Type.String(),
  course_id: Type.String({ format: 'uuid' }),
  customer_email: Type.String(),
  user_id: Nullable(Type.String({ format: 'uuid' })),
  enrollment_id: Nullable(Type.String({ format: 'uuid' })),
  outcome: Outcome,
  created_at: Timestamp,
  updated_at: Timestamp,
});
type PurchaseRow = Stored<Static<typeof Purchase>, 'created_at' | 'updated_at'>;

/** Operations: purchases seen from the shop, and running the notification jobs now. */
export function operationRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/purchases',
      summary: 'Paid shop orders that sold a course, with what happened (`no_member`: nobody to enrol yet)',
      permission: permissions['enrollments.view'],
      schema: {
        query: Type.Composite([
          PageQuery,
          Type.Object({ outcome: Type.Optional(Outcome), course_id: Type.Optional(Type.String({ format: 'uuid' })), unit: Type.Optional(UnitQuery) }),
        ]),
        response: Type.Array(Purchase),
      },
      async handler({ query, deps }) {
        const filter = '($1::text is null or p.outcome = $1) and ($2::uuid is null or p.course_id = $2) and ($3::uuid[] is null or c.unit_id = any($3))';
        const values = [query.outcome ?? null, query.course_id ?? null, await unitFilter(deps.units, query.unit)];
        const { items, total } = await listPage<PurchaseRow>(
          deps.db,
          { select: purchaseColumns, from: purchasesOfCourses, where: filter, orderBy: 'p.created_at desc, p.id', values },
          query,
        );
        return Reply.list(toJson(items), paginate(query, total));
      },
    }),
    route({
      method: 'POST',
      path: '/purchases/:id/enroll',
      summary: 'Enrol a member for a purchase that found nobody to enrol (`no_member`)',
      errors: [commonErrors.conflict],
      permission: permissions['enrollments.manage'],
      schema: { params: IdParams, body: Type.Object({ user_id: MemberId({ title: 'Learner' }) }, { additionalProperties: false }), response: Purchase },
      async handler({ params, body, deps }) {
        const purchase = await deps.db.one<{ outcome: string }>(`select p.outcome from ${purchasesOfCourses} where p.id = $1`, [params.id]);
        if (!purchase) throw new NotFoundError('Purchase not found');
        if (purchase.outcome !== 'no_member') throw new ConflictError('This purchase already enrolled its buyer');
        const [member] = await requireMembers(deps.members, [body.user_id], 'user_id');
        await claimPurchases(deps, member!, params.id);
        const claimed = await deps.db.one<PurchaseRow>(`select ${purchaseColumns} from lms_purchases p where p.id = $1`, [params.id]);
        return toJson(claimed!);
      },
    }),
    route({
      method: 'POST',
      path: '/notifications/run',
      summary: 'Queue the inactivity reminders and drip notifications now (they also run on their schedule)',
      permission: permissions['enrollments.manage'],
      schema: { response: withStatus(Type.Object({ queued: Type.Array(Type.String()) }), 202) },
      async handler({ deps }) {
        await deps.jobs.enqueue('lms.reminders.send', {});
        await deps.jobs.enqueue('lms.drip.notify', {});
        return Reply.accepted({ queued: ['lms.reminders.send', 'lms.drip.notify'] });
      },
    }),
  ];
}
