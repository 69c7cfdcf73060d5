import { Nullable, type Static, type TenantDb, Type } from '@plinth/sdk';

/** A lesson in a course's outline: no content. */
const OutlineLesson = Type.Object({
  id: Type.String({ format: 'uuid' }),
  title: Type.String(),
  status: Type.Union([Type.Literal('draft'), Type.Literal('published')]),
  free_preview: Type.Boolean(),
  required: Type.Boolean(),
  drip_days: Type.Integer(),
  duration_seconds: Nullable(Type.Integer()),
  position: Type.Integer(),
  has_quiz: Type.Boolean(),
});
type OutlineLesson = Static<typeof OutlineLesson>;

/** A module in a course's outline, with its lessons in order. */
export const OutlineModule = Type.Object({
  id: Type.String({ format: 'uuid' }),
  title: Type.String(),
  position: Type.Integer(),
  lessons: Type.Array(OutlineLesson),
});

/** A course's modules in order, each with its lessons in order (titles only; `everything` includes drafts). */
export async function courseOutline(db: TenantDb, courseId: string, everything: boolean): Promise<Static<typeof OutlineModule>[]> {
  const modules = await db.query<{ id: string; title: string; position: number }>(
    'select id, title, position from lms_modules where course_id = $1 order by position, created_at',
    [courseId],
  );
  const lessons = await db.query<OutlineLesson & { module_id: string }>(
    `select l.id, l.module_id, l.title, l.status, l.free_preview, l.required, l.drip_days, l.duration_seconds, l.position,
            exists (select 1 from lms_quizzes q where q.lesson_id = l.id) as has_quiz
       from lms_lessons l where l.course_id = $1 and ($2::boolean or l.status = 'published') order by l.position, l.created_at`,
    [courseId, everything],
  );
  return modules.map((module) => ({
    ...module,
    lessons: lessons.filter((lesson) => lesson.module_id === module.id).map(({ module_id: _, ...lesson }) => lesson),
  }));
}
