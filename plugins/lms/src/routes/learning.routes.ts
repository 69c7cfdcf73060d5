import { commonErrors, type AnyRoute, Nullable, PageQuery, paginate, Reply, Timestamp, toJson, Type, withStatus } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { lmsPermissions as permissions } from '../permissions.js';
import { callerId, requireEnrollment, visibleCourse } from '../services/access.js';
import { Enrollment, enrollmentColumns, type EnrollmentRow } from '../services/enrollments.js';
import { completeLesson } from '../services/completion.js';
import { myCourses, myLessons } from '../services/learner-views.js';
import { readableLesson } from '../services/lesson-access.js';
import { claimPurchases } from '../services/purchases.js';
import { enrollSelf } from '../services/self-enroll.js';
import { IdParams } from '../services/schemas.js';

const learner = permissions['learning.access'];

const MyCourse = Type.Object({
  enrollment_id: Type.String({ format: 'uuid' }),
  course_id: Type.String({ format: 'uuid' }),
  title: Type.String(),
  slug: Type.String(),
  level: Type.String(),
  category: Nullable(Type.String()),
  source: Enrollment.properties.source,
  progress_percent: Type.Integer(),
  completed_at: Nullable(Timestamp),
  expires_at: Nullable(Timestamp),
  expired: Type.Boolean(),
  last_activity_at: Timestamp,
  enrolled_at: Timestamp,
  certificate_code: Nullable(Type.String()),
});
const MyLesson = Type.Object({
  id: Type.String({ format: 'uuid' }),
  module_id: Type.String({ format: 'uuid' }),
  module_title: Type.String(),
  title: Type.String(),
  drip_days: Type.Integer(),
  free_preview: Type.Boolean(),
  required: Type.Boolean(),
  duration_seconds: Nullable(Type.Integer()),
  completed_at: Nullable(Timestamp),
  position_seconds: Type.Integer(),
  available_at: Timestamp,
  locked: Type.Boolean(),
});
const LessonCompleted = Type.Object({
  lesson_id: Type.String({ format: 'uuid' }),
  completed_at: Timestamp,
  course_progress_percent: Type.Integer(),
  course_completed: Type.Boolean(),
});

/** The learner's side: self-enrolment, `my/courses`, lesson completion and video position. */
export function learningRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'POST',
      path: '/courses/:id/enroll',
      summary: 'Enrol oneself in a published free course (201; 200 when already enrolled)',
      errors: [commonErrors.conflict],
      permission: learner,
      schema: { params: IdParams, response: withStatus(Enrollment, [200, 201]) },
      async handler({ params, deps, ctx }) {
        const course = await visibleCourse(deps.db, ctx, params.id);
        const { enrollment, created } = await enrollSelf(deps, ctx, course);
        return created ? Reply.created(toJson(enrollment)) : toJson(enrollment);
      },
    }),
    route({
      method: 'GET',
      path: '/my/courses',
      summary: 'The caller’s enrolments with course, progress %, completion and certificate code (claims courses bought with their email first)',
      permission: learner,
      schema: { query: PageQuery, response: Type.Array(MyCourse) },
      async handler({ query, deps, ctx }) {
        const userId = callerId(ctx);
        const member = await deps.members.get(userId);
        if (member) await claimPurchases(deps, member);
        const { items, total } = await myCourses(deps.db, userId, query);
        return Reply.list(toJson(items), paginate(query, total));
      },
    }),
    route({
      method: 'GET',
      path: '/my/courses/:id',
      summary: 'One enrolled course: each published lesson with completion, video position and when it unlocks',
      permission: learner,
      schema: { params: IdParams, response: Type.Object({ enrollment: Enrollment, lessons: Type.Array(MyLesson) }) },
      async handler({ params, deps, ctx }) {
        const enrollment = await requireEnrollment(deps.db, ctx, params.id);
        const summary = await deps.db.one<EnrollmentRow>(`select ${enrollmentColumns} from lms_enrollments where id = $1`, [enrollment.id]);
        const lessons = await myLessons(deps.db, params.id, enrollment);
        return { enrollment: toJson(summary!), lessons: toJson(lessons) };
      },
    }),
    route({
      method: 'POST',
      path: '/lessons/:id/complete',
      summary: 'Mark a lesson complete (its quiz must be passed first when it requires so); idempotent',
      errors: [commonErrors.conflict],
      permission: learner,
      schema: { params: IdParams, response: LessonCompleted },
      async handler({ params, deps, ctx }) {
        const done = await completeLesson(deps, ctx, params.id);
        return {
          lesson_id: done.lessonId,
          completed_at: done.completedAt.toISOString(),
          course_progress_percent: done.progressPercent,
          course_completed: done.courseCompleted,
        };
      },
    }),
    route({
      method: 'PUT',
      path: '/lessons/:id/position',
      summary: 'Save the learner’s last video position (seconds)',
      permission: learner,
      schema: {
        params: IdParams,
        body: Type.Object({ position_seconds: Type.Integer({ minimum: 0, maximum: 1_000_000 }) }, { additionalProperties: false }),
        response: Type.Object({ lesson_id: Type.String({ format: 'uuid' }), position_seconds: Type.Integer() }),
      },
      async handler({ params, body, deps, ctx }) {
        const { lesson, enrollment } = await readableLesson(deps.db, ctx, params.id, { requireEnrollment: true });
        await deps.db.query(
          `insert into lms_lesson_progress (enrollment_id, lesson_id, position_seconds) values ($1, $2, $3)
           on conflict (tenant_id, enrollment_id, lesson_id) do update set position_seconds = $3, updated_at = now()`,
          [enrollment!.id, lesson.id, body.position_seconds],
        );
        await deps.db.query('update lms_enrollments set last_activity_at = now() where id = $1', [enrollment!.id]);
        return { lesson_id: lesson.id, position_seconds: body.position_seconds };
      },
    }),
  ];
}
