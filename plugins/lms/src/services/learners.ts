import {
  likePattern,
  listPage,
  type ListPage,
  Nullable,
  type PageQuery,
  type PluginMembers,
  type Static,
  type Stored,
  type TenantDb,
  Timestamp,
  Type,
} from '@plinth/sdk';
import { Enrollment, enrollmentColumns, type EnrollmentRow } from './enrollments.js';

/** Where an enrolment stands: `completed` wins over `expired` (a finished course stays finished). */
export const LearnerStatus = Type.Union([Type.Literal('active'), Type.Literal('completed'), Type.Literal('expired')]);

/** An enrolment with its learner and lesson counts, as a course's learners list shows it. */
export const CourseLearner = Type.Composite([
  Enrollment,
  Type.Object({
    learner: Nullable(Type.Object({ name: Type.String(), email: Type.String() }), { description: 'null: no longer a member' }),
    status: LearnerStatus,
    lessons_completed: Type.Integer({ description: 'Published lessons the learner completed' }),
    lessons_total: Type.Integer({ description: 'Published lessons of the course' }),
  }),
]);
export type CourseLearnerRow = EnrollmentRow & { status: Static<typeof LearnerStatus>; lessons_completed: number; lessons_total: number };

const statusSql = `case when completed_at is not null then 'completed'
  when expires_at is not null and expires_at <= now() then 'expired' else 'active' end`;

/** Which enrolments of a course to list: matching `search` in the learner's name or email (as noted on enrolment), a condition, or one. */
export interface LearnerFilter extends PageQuery {
  search?: string | undefined;
  /** Conditions on `lms_enrollments` columns, without parameters. */
  where?: string[];
  enrollmentId?: string;
}

/** The enrolments of a course with their lesson counts, oldest first. */
export async function courseLearners(db: TenantDb, courseId: string, query: LearnerFilter): Promise<ListPage<CourseLearnerRow>> {
  const values: unknown[] = [courseId];
  const where = ['course_id = $1', ...(query.where ?? [])];
  if (query.enrollmentId) where.push(`id = $${values.push(query.enrollmentId)}`);
  if (query.search?.trim()) {
    const pattern = `$${values.push(likePattern(query.search.trim()))}`;
    where.push(`(learner_name ilike ${pattern} or learner_email ilike ${pattern})`);
  }
  return listPage<CourseLearnerRow>(
    db,
    {
      select: `${enrollmentColumns}, ${statusSql} as status,
        (select count(*)::int from lms_lesson_progress p join lms_lessons l on l.id = p.lesson_id
          where p.enrollment_id = lms_enrollments.id and p.completed_at is not null and l.status = 'published') as lessons_completed,
        (select count(*)::int from lms_lessons l where l.course_id = lms_enrollments.course_id and l.status = 'published') as lessons_total`,
      from: 'lms_enrollments',
      where,
      orderBy: 'created_at, id',
      values,
    },
    query,
  );
}

/** Each enrolment with its learner's current name and email (those noted on the enrolment are for search only). */
export async function withLearners<Row extends { user_id: string }>(members: PluginMembers, rows: Row[]) {
  const people = await Promise.all(rows.map((row) => members.get(row.user_id)));
  return rows.map((row, index) => {
    const person = people[index];
    return { ...row, learner: person ? { name: person.name, email: person.email } : null };
  });
}

/** One lesson of the course and whether the learner completed it. */
const LessonProgress = Type.Object({
  lesson_id: Type.String({ format: 'uuid' }),
  module_title: Type.String(),
  title: Type.String(),
  required: Type.Boolean(),
  completed_at: Nullable(Timestamp),
});

/** One quiz attempt of the learner in the course. */
const QuizAttempt = Type.Object({
  id: Type.String({ format: 'uuid' }),
  quiz_title: Type.String(),
  lesson_title: Type.String(),
  status: Type.Union([Type.Literal('in_progress'), Type.Literal('submitted'), Type.Literal('expired')]),
  score: Nullable(Type.Integer()),
  passed: Nullable(Type.Boolean()),
  started_at: Timestamp,
  submitted_at: Nullable(Timestamp),
});

/** A learner's progress in one course, lesson by lesson, with their quiz attempts and certificate. */
export const EnrollmentProgress = Type.Object({
  enrollment: CourseLearner,
  course: Type.Object({ id: Type.String({ format: 'uuid' }), title: Type.String() }),
  lessons: Type.Array(LessonProgress),
  attempts: Type.Array(QuizAttempt),
  certificate: Nullable(Type.Object({ code: Type.String(), issued_at: Timestamp })),
});

type Dated<T, K extends keyof T> = Stored<T, K>;
export type LessonProgressRow = Dated<Static<typeof LessonProgress>, 'completed_at'>;
export type QuizAttemptRow = Dated<Static<typeof QuizAttempt>, 'started_at' | 'submitted_at'>;

/** The course's published lessons in order, with when enrolment `$1` completed each. */
export function lessonProgress(db: TenantDb, enrollmentId: string, courseId: string): Promise<LessonProgressRow[]> {
  return db.query<LessonProgressRow>(
    `select l.id as lesson_id, m.title as module_title, l.title, l.required, p.completed_at
       from lms_lessons l join lms_modules m on m.id = l.module_id
       left join lms_lesson_progress p on p.lesson_id = l.id and p.enrollment_id = $1
      where l.course_id = $2 and l.status = 'published'
      order by m.position, l.position, l.id`,
    [enrollmentId, courseId],
  );
}

/** The learner's quiz attempts in the course, newest first (at most 200: a report, not an archive). */
export function quizAttempts(db: TenantDb, userId: string, courseId: string): Promise<QuizAttemptRow[]> {
  return db.query<QuizAttemptRow>(
    `select a.id, q.title as quiz_title, l.title as lesson_title, a.status, a.score, a.passed, a.started_at, a.submitted_at
       from lms_attempts a join lms_quizzes q on q.id = a.quiz_id join lms_lessons l on l.id = q.lesson_id
      where a.user_id = $1 and l.course_id = $2
      order by a.started_at desc, a.id limit 200`,
    [userId, courseId],
  );
}

/** What a certificate of the course says, for staff to preview. */
export const CertificatePreview = Type.Object({
  sample: Type.Boolean({ description: 'true: no learner completed the course yet; the names and code are examples' }),
  learner_name: Type.String(),
  course_title: Type.String(),
  issued_at: Timestamp,
  code: Type.String(),
  url: Nullable(Type.String({ description: 'The public certificate page (a real certificate only)' })),
});
