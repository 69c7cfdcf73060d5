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
 * SQL for the outline of course `c` (alias of `lms_courses`) as column `modules`: its modules in order, each with all
 * its lessons in order, drafts included. Stored on the course and kept in step by triggers (migration
 * 008-course-outline), so the course read is one row by primary key.
 */
export const outlineColumn = 'c.outline as modules';

/** The outline a caller sees: everything, or published lessons only. */
export function visibleOutline(outline: Outline, everything: boolean): Outline {
  if (everything) return outline;
  return outline.map((module) => ({ ...module, lessons: module.lessons.filter((lesson) => lesson.status === 'published') }));
}
