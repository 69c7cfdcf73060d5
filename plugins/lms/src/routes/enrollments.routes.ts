import { listPage, type AnyRoute, ForbiddenError, NoContent, NotFoundError, PageQuery, paginate, Reply, toJson, Type, withStatus } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { lmsPermissions as permissions } from '../permissions.js';
import { callerId, canForCourse, courseAccessJson, enrollmentManagedCourse, instructs, visibleCourse, type CourseAccessRow } from '../services/access.js';
import { enrollmentLearnerColumns, recordEnrollment } from '../services/audit.js';
import { unitFilter, UnitQuery } from '../services/units.js';
import { enroll, Enrollment, enrollmentColumns, type EnrollmentRow } from '../services/enrollments.js';
import { CourseLearner, courseLearners, withLearners } from '../services/learners.js';
import { requireMembers } from '../services/members.js';
import { IdParams, MemberId } from '../services/schemas.js';

const ExpiresAt = Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { title: 'Access ends', description: 'When access ends; none: never' });
const NewEnrollment = Type.Object({ user_id: MemberId({ title: 'Learner' }), expires_at: Type.Optional(ExpiresAt) }, { additionalProperties: false });
const EnrollmentState = Type.Union([Type.Literal('active'), Type.Literal('completed'), Type.Literal('expired')]);
const EnrollmentQuery = Type.Composite([
  PageQuery,
  Type.Object({
    course_id: Type.Optional(Type.String({ format: 'uuid' })),
    user_id: Type.Optional(Type.String({ format: 'uuid' })),
    state: Type.Optional(EnrollmentState),
    unit: Type.Optional(UnitQuery),
  }),
]);
const stateFilter = {
  active: '(completed_at is null and (expires_at is null or expires_at > now()))',
  completed: 'completed_at is not null',
  expired: '(expires_at is not null and expires_at <= now())',
};

/** An enrolment (locked: it is about to change) with its learner's noted name and email, and its course. */
async function enrollmentWithCourse(db: Parameters<typeof visibleCourse>[0], id: string) {
  const row = await db.one<EnrollmentRow & { learner_name: string | null; learner_email: string | null; course: CourseAccessRow }>(
    `select ${enrollmentColumns.replaceAll(/(\w+)/g, 'e.$1')}, ${enrollmentLearnerColumns.replaceAll(/(\w+)/g, 'e.$1')}, ${courseAccessJson()} as course
       from lms_enrollments e join lms_courses c on c.id = e.course_id where e.id = $1 for update of e`,
    [id],
  );
  if (!row) throw new NotFoundError('Enrolment not found');
  return row;
}

/** `/enrollments`, `/courses/:id/enrollments`: enrolments by staff and instructors; unenrolling. */
export function enrollmentRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/enrollments',
      summary: 'Every enrolment, filtered by course, learner or state',
      permission: permissions['enrollments.view'],
      schema: { query: EnrollmentQuery, response: Type.Array(Enrollment) },
      async handler({ query, deps }) {
        const where = ['($1::uuid is null or course_id = $1)', '($2::uuid is null or user_id = $2)', '($3::uuid[] is null or unit_id = any($3))'];
        if (query.state) where.push(stateFilter[query.state]);
        const values = [query.course_id ?? null, query.user_id ?? null, await unitFilter(deps.units, query.unit)];
        const { items, total } = await listPage<EnrollmentRow>(
          deps.db,
          { select: enrollmentColumns, from: 'lms_enrollments', where, orderBy: 'created_at desc, id', values },
          query,
        );
        return Reply.list(toJson(items), paginate(query, total));
      },
    }),
    route({
      method: 'GET',
      path: '/courses/:id/enrollments',
      summary: 'A course’s learners with name, email, status and lessons completed; search by name or email (staff and the course’s instructors)',
      permission: permissions['learning.access'],
      schema: {
        params: IdParams,
        query: Type.Composite([
          PageQuery,
          Type.Object({
            state: Type.Optional(EnrollmentState),
            search: Type.Optional(Type.String({ maxLength: 200, description: 'Part of the learner’s name or email' })),
          }),
        ]),
        response: Type.Array(CourseLearner),
      },
      async handler({ params, query, deps, ctx }) {
        const course = await visibleCourse(deps.db, ctx, params.id);
        if (!canForCourse(ctx, permissions['enrollments.view'], course) && !instructs(ctx, course))
          throw new ForbiddenError('Only staff and the course’s instructors see its learners');
        const page = await courseLearners(deps.db, params.id, { ...query, where: query.state ? [stateFilter[query.state]] : [] });
        return Reply.list(toJson(await withLearners(deps.members, page.items)), paginate(query, page.total));
      },
    }),
    route({
      method: 'POST',
      path: '/courses/:id/enrollments',
      summary: 'Enrol a member (201; 200 with the renewed enrolment when already enrolled)',
      permission: permissions['learning.access'],
      schema: { params: IdParams, body: NewEnrollment, response: withStatus(Enrollment, [200, 201]) },
      async handler({ params, body, deps, ctx }) {
        const course = await enrollmentManagedCourse(deps.db, ctx, params.id);
        const [learner] = await requireMembers(deps.members, [body.user_id], 'user_id');
        const { enrollment, created } = await enroll(deps, {
          course,
          learner: learner!,
          source: 'manual',
          ...(body.expires_at !== undefined ? { expiresAt: body.expires_at } : {}),
        });
        return created ? Reply.created(toJson(enrollment)) : toJson(enrollment);
      },
    }),
    route({
      method: 'PATCH',
      path: '/enrollments/:id',
      summary: 'Change when an enrolment expires',
      permission: permissions['learning.access'],
      schema: { params: IdParams, body: Type.Object({ expires_at: ExpiresAt }, { additionalProperties: false }), response: Enrollment },
      async handler({ params, body, deps, ctx }) {
        const { course, ...before } = await enrollmentWithCourse(deps.db, params.id);
        await enrollmentManagedCourse(deps.db, ctx, course.id);
        const updated = await deps.db.one<EnrollmentRow>(
          `update lms_enrollments set expires_at = $2, updated_at = now() where id = $1 returning ${enrollmentColumns}`,
          [params.id, body.expires_at],
        );
        await recordEnrollment(deps.audit, 'updated', { before, after: { ...before, ...updated! } });
        return toJson(updated!);
      },
    }),
    route({
      method: 'DELETE',
      path: '/enrollments/:id',
      summary: 'Unenrol (staff, the course’s instructors, or the learner themself); its lesson progress goes too, quiz attempts stay',
      permission: permissions['learning.access'],
      schema: { params: IdParams, response: NoContent },
      async handler({ params, deps, ctx }) {
        const { course, ...enrollment } = await enrollmentWithCourse(deps.db, params.id);
        const own = enrollment.user_id === callerId(ctx);
        if (!own) {
          if (!canForCourse(ctx, permissions['enrollments.view'], course) && !instructs(ctx, course)) throw new NotFoundError('Enrolment not found');
          await enrollmentManagedCourse(deps.db, ctx, course.id);
        }
        await deps.db.query('delete from lms_enrollments where id = $1', [params.id]);
        await recordEnrollment(deps.audit, 'deleted', { before: enrollment });
        return Reply.noContent();
      },
    }),
  ];
}
