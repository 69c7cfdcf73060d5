import { NotFoundError, type TenantDb, Type } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { lmsPermissions as permissions } from '../permissions.js';

const CourseProgressParams = Type.Object(
  { course_id: Type.String({ format: 'uuid', title: 'Course', description: 'The course whose learners the report lists' }) },
  { additionalProperties: false },
);

/** Refuses a course the tenant does not have: the run fails with this message rather than giving an empty file. */
async function requireCourse(db: TenantDb, courseId: string): Promise<void> {
  if (!(await db.one('select 1 from lms_courses where id = $1', [courseId]))) throw new NotFoundError('Course not found');
}

/**
 * `lms.course-progress`: one line per learner of a course, in enrolment order: name and email (as noted on the
 * enrolment: the learner's when last enrolled), when enrolled, lessons completed of the course's published lessons, progress (the share of required
 * lessons the learner sees), average score of their handed-in quiz attempts, last activity and certificate date.
 */
export function courseProgressReport({ report }: Builders) {
  return report({
    name: 'lms.course-progress',
    title: 'Course progress',
    description: 'Each learner of a course: lessons completed, progress, quiz average, last activity and certificate',
    permission: permissions['reports.view'],
    params: CourseProgressParams,
    columns: [
      { key: 'learner_name', label: 'Learner' },
      { key: 'learner_email', label: 'Email' },
      { key: 'enrolled_at', label: 'Enrolled', type: 'datetime' },
      { key: 'lessons_completed', label: 'Lessons completed', type: 'integer' },
      { key: 'lessons_total', label: 'Lessons', type: 'integer' },
      { key: 'progress_percent', label: 'Progress', type: 'percent' },
      { key: 'average_quiz_score', label: 'Quiz average', type: 'number' },
      { key: 'last_activity_at', label: 'Last activity', type: 'datetime' },
      { key: 'certificate_issued_at', label: 'Certificate issued', type: 'datetime' },
    ],
    async count({ params, deps }) {
      await requireCourse(deps.db, params.course_id);
      const row = await deps.db.one<{ count: number }>('select count(*)::int as count from lms_enrollments where course_id = $1', [params.course_id]);
      return row!.count;
    },
    async *rows({ params, deps }) {
      await requireCourse(deps.db, params.course_id);
      yield* deps.db.stream(
        `select coalesce(e.learner_name, '') as learner_name, coalesce(e.learner_email, '') as learner_email, e.created_at as enrolled_at,
                (select count(*)::int from lms_lesson_progress p join lms_lessons l on l.id = p.lesson_id
                  where p.enrollment_id = e.id and p.completed_at is not null and l.status = 'published') as lessons_completed,
                (select count(*)::int from lms_lessons l where l.course_id = e.course_id and l.status = 'published') as lessons_total,
                e.progress_percent,
                (select round(avg(a.score), 1)::float from lms_attempts a join lms_quizzes q on q.id = a.quiz_id join lms_lessons l on l.id = q.lesson_id
                  where l.course_id = e.course_id and a.user_id = e.user_id and a.status <> 'in_progress') as average_quiz_score,
                e.last_activity_at, cert.issued_at as certificate_issued_at
           from lms_enrollments e left join lms_certificates cert on cert.enrollment_id = e.id
          where e.course_id = $1
          order by e.created_at, e.id`,
        [params.course_id],
      );
    },
  });
}
