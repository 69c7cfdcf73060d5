import {
  commonErrors,
  listPage,
  type AnyRoute,
  ConflictError,
  ForbiddenError,
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
import { callerId, requireEnrollment, visibleCourse } from '../services/access.js';
import { enroll, Enrollment, enrollmentColumns, type EnrollmentRow } from '../services/enrollments.js';
import { availableAt, readableLesson } from '../services/lesson-access.js';
import { refreshProgress } from '../services/progress.js';
import { claimPurchases } from '../services/purchases.js';
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
type MyCourseRow = Stored<Static<typeof MyCourse>, 'completed_at' | 'expires_at' | 'last_activity_at' | 'enrolled_at'>;
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
type MyLessonRow = Stored<Omit<Static<typeof MyLesson>, 'available_at' | 'locked'>, 'completed_at'>;
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
        if (course.status !== 'published') throw new ConflictError('Only published courses take enrolments');
        if (course.shop_product_id) throw new ForbiddenError('This course is sold in the shop: buy it to enrol');
        const member = await deps.members.get(callerId(ctx));
        if (!member) throw new ForbiddenError('Only members of the tenant may enrol');
        const { enrollment, created } = await enroll(deps, { course, learner: member, source: 'self' });
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
        const { items, total } = await listPage<MyCourseRow>(
          deps.db,
          {
            select: `e.id as enrollment_id, e.course_id, c.title, c.slug, c.level, c.category, e.source, e.progress_percent, e.completed_at,
              e.expires_at, (e.expires_at is not null and e.expires_at <= now()) as expired, e.last_activity_at, e.created_at as enrolled_at,
              cert.code as certificate_code`,
            from: 'lms_enrollments e join lms_courses c on c.id = e.course_id left join lms_certificates cert on cert.enrollment_id = e.id',
            where: 'e.user_id = $1',
            orderBy: 'e.last_activity_at desc, e.id',
            values: [userId],
          },
          query,
        );
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
        const lessons = await deps.db.query<MyLessonRow>(
          `select l.id, l.module_id, m.title as module_title, l.title, l.drip_days, l.free_preview, l.required, l.duration_seconds,
                  p.completed_at, coalesce(p.position_seconds, 0) as position_seconds
             from lms_lessons l join lms_modules m on m.id = l.module_id
             left join lms_lesson_progress p on p.lesson_id = l.id and p.enrollment_id = $2
            where l.course_id = $1 and l.status = 'published' order by m.position, l.position`,
          [params.id, enrollment.id],
        );
        const now = Date.now();
        return {
          enrollment: toJson(summary!),
          lessons: lessons.map((lesson) => {
            const unlocks = availableAt(lesson, enrollment);
            return { ...toJson(lesson), available_at: unlocks.toISOString(), locked: !lesson.free_preview && unlocks.getTime() > now };
          }),
        };
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
        const { lesson, enrollment } = await readableLesson(deps.db, ctx, params.id, { requireEnrollment: true });
        const userId = callerId(ctx);
        const quiz = await deps.db.one<{ id: string }>('select id from lms_quizzes where lesson_id = $1 and required_to_complete', [lesson.id]);
        if (quiz) {
          const passed = await deps.db.one('select 1 from lms_attempts where quiz_id = $1 and user_id = $2 and passed', [quiz.id, userId]);
          if (!passed) throw new ConflictError('Pass this lesson’s quiz to complete it');
        }
        const [marked] = await deps.db.query<{ completed_at: Date }>(
          `insert into lms_lesson_progress (enrollment_id, lesson_id, completed_at) values ($1, $2, now())
           on conflict (tenant_id, enrollment_id, lesson_id) do update set completed_at = now(), updated_at = now()
             where lms_lesson_progress.completed_at is null
           returning completed_at`,
          [enrollment!.id, lesson.id],
        );
        if (marked) await deps.events.emit('lms.lesson.completed', { enrollmentId: enrollment!.id, courseId: lesson.course_id, lessonId: lesson.id, userId });
        const progress = await refreshProgress(deps, enrollment!.id);
        const stored = await deps.db.one<{ completed_at: Date }>('select completed_at from lms_lesson_progress where enrollment_id = $1 and lesson_id = $2', [
          enrollment!.id,
          lesson.id,
        ]);
        return {
          lesson_id: lesson.id,
          completed_at: stored!.completed_at.toISOString(),
          course_progress_percent: progress.percent,
          course_completed: progress.completed,
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
