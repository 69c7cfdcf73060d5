import { listPage, type ListPage, Nullable, type PageQuery, type Static, type Stored, type TenantDb, Timestamp, Type } from '@plinth/sdk';

/** A course's totals as the API shows them. */
export const CourseSummary = Type.Object({
  course_id: Type.String({ format: 'uuid' }),
  enrollments: Type.Integer(),
  active: Type.Integer(),
  completed: Type.Integer(),
  average_progress: Nullable(Type.Number()),
  average_quiz_score: Nullable(Type.Number()),
  completion_rate: Type.Number({ description: 'Percent of enrolments completed, one decimal' }),
});

/** A course's totals. */
export async function courseSummary(db: TenantDb, courseId: string): Promise<Static<typeof CourseSummary>> {
  const row = await db.one<{ enrollments: number; active: number; completed: number; average_progress: number | null; average_quiz_score: number | null }>(
    `select count(*)::int as enrollments,
            (count(*) filter (where completed_at is null and (expires_at is null or expires_at > now())))::int as active,
            (count(*) filter (where completed_at is not null))::int as completed,
            round(avg(progress_percent), 1)::float as average_progress,
            (select round(avg(a.score), 1)::float from lms_attempts a join lms_quizzes q on q.id = a.quiz_id join lms_lessons l on l.id = q.lesson_id
              where l.course_id = $1 and a.status <> 'in_progress') as average_quiz_score
       from lms_enrollments where course_id = $1`,
    [courseId],
  );
  const summary = row!;
  return {
    course_id: courseId,
    ...summary,
    completion_rate: completionRate(summary),
  };
}

/** One learner's line of a course report, as the API shows it. */
export const LearnerLine = Type.Object({
  enrollment_id: Type.String({ format: 'uuid' }),
  user_id: Type.String({ format: 'uuid' }),
  progress_percent: Type.Integer(),
  lessons_completed: Type.Integer(),
  completed_at: Nullable(Timestamp),
  last_activity_at: Timestamp,
  enrolled_at: Timestamp,
  quiz_attempts: Type.Integer(),
  average_quiz_score: Nullable(Type.Number()),
});

/** One learner's line of a course report, as read. */
export type LearnerLine = Stored<Static<typeof LearnerLine>, 'completed_at' | 'last_activity_at' | 'enrolled_at'>;

/** The per-learner lines of course `$1`. */
const learnerQuery = {
  select: `e.id as enrollment_id, e.user_id, e.progress_percent, e.completed_at, e.last_activity_at, e.created_at as enrolled_at,
    (select count(*)::int from lms_lesson_progress p where p.enrollment_id = e.id and p.completed_at is not null) as lessons_completed,
    coalesce(s.attempts, 0)::int as quiz_attempts, s.average::float as average_quiz_score`,
  countFrom: 'lms_enrollments e',
  from: `lms_enrollments e
    left join lateral (
      select count(*) as attempts, round(avg(a.score), 1) as average from lms_attempts a
        join lms_quizzes q on q.id = a.quiz_id join lms_lessons l on l.id = q.lesson_id
       where l.course_id = e.course_id and a.user_id = e.user_id and a.status <> 'in_progress') s on true`,
  where: 'e.course_id = $1',
  orderBy: 'e.created_at, e.id',
};

/** Per-learner progress of a course, a page at a time (ordered by enrolment). */
export async function learnerLines(db: TenantDb, courseId: string, limit: number, offset: number): Promise<LearnerLine[]> {
  return db.query<LearnerLine>(
    `select ${learnerQuery.select} from ${learnerQuery.from} where ${learnerQuery.where} order by ${learnerQuery.orderBy} limit $2 offset $3`,
    [courseId, limit, offset],
  );
}

/** A page of {@link learnerLines} and how many learners the course has. */
export async function learnerPage(db: TenantDb, courseId: string, page: PageQuery): Promise<ListPage<LearnerLine>> {
  return listPage<LearnerLine>(db, { ...learnerQuery, values: [courseId] }, page);
}

/** One course's line of the courses report (a unit's courses side by side). */
export const CourseReportLine = Type.Composite([
  Type.Omit(CourseSummary, ['average_quiz_score']),
  Type.Object({
    title: Type.String(),
    unit_id: Nullable(Type.String({ format: 'uuid', description: 'The course’s organisation unit' })),
  }),
]);

interface CourseReportRow {
  course_id: string;
  title: string;
  unit_id: string | null;
  enrollments: number;
  active: number;
  completed: number;
  average_progress: number | null;
}

/**
 * The totals of every course the caller reaches (Row Level Security keeps a department's admin to its courses and
 * their enrolments), those of units `unitIds` only when given, a page at a time by title.
 */
export async function courseReport(db: TenantDb, unitIds: string[] | null, page: PageQuery): Promise<ListPage<Static<typeof CourseReportLine>>> {
  const { items, total } = await listPage<CourseReportRow>(
    db,
    {
      select: 'c.id as course_id, c.title, c.unit_id, s.enrollments, s.active, s.completed, s.average_progress',
      from: `lms_courses c cross join lateral (
        select count(*)::int as enrollments,
               (count(*) filter (where e.completed_at is null and (e.expires_at is null or e.expires_at > now())))::int as active,
               (count(*) filter (where e.completed_at is not null))::int as completed,
               round(avg(e.progress_percent), 1)::float as average_progress
          from lms_enrollments e where e.course_id = c.id) s`,
      countFrom: 'lms_courses c',
      where: '($1::uuid[] is null or c.unit_id = any($1))',
      orderBy: 'c.title, c.id',
      values: [unitIds],
    },
    page,
  );
  return { items: items.map((row) => ({ ...row, completion_rate: completionRate(row) })), total };
}

/** Percent of enrolments completed, one decimal. */
function completionRate(totals: { enrollments: number; completed: number }): number {
  return totals.enrollments === 0 ? 0 : Math.round((totals.completed * 1000) / totals.enrollments) / 10;
}
