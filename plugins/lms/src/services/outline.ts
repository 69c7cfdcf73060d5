import { Nullable, type Static, Type } from '@plinth/sdk';

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

/** A module in a course's outline, with its lessons in order. */
export const OutlineModule = Type.Object({
  id: Type.String({ format: 'uuid' }),
  title: Type.String(),
  position: Type.Integer(),
  lessons: Type.Array(OutlineLesson),
});

export type Outline = Static<typeof OutlineModule>[];

/**
 * SQL for a JSON column with the outline of course `c` (alias of `lms_courses`): its modules in order, each with
 * all its lessons in order, drafts included — so the outline comes with the course in one statement. Each lesson's
 * quiz check is one index probe: `offset 0` keeps PostgreSQL from planning it as a hashed subplan, which would read
 * every quiz of the tenant on each course read once its cached plan expects many lessons.
 */
export const outlineColumn = `(select coalesce(json_agg(json_build_object('id', m.id, 'title', m.title, 'position', m.position, 'lessons',
    (select coalesce(json_agg(json_build_object('id', l.id, 'title', l.title, 'status', l.status, 'free_preview', l.free_preview,
              'required', l.required, 'drip_days', l.drip_days, 'duration_seconds', l.duration_seconds, 'position', l.position,
              'has_quiz', exists (select 1 from lms_quizzes q where q.lesson_id = l.id offset 0)) order by l.position, l.created_at), '[]')
       from lms_lessons l where l.module_id = m.id)) order by m.position, m.created_at), '[]')
   from lms_modules m where m.course_id = c.id) as modules`;

/** The outline a caller sees: everything, or published lessons only. */
export function visibleOutline(outline: Outline, everything: boolean): Outline {
  if (everything) return outline;
  return outline.map((module) => ({ ...module, lessons: module.lessons.filter((lesson) => lesson.status === 'published') }));
}
