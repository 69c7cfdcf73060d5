import type { TenantDb } from '@plinth/sdk';

interface OutlineLesson {
  id: string;
  module_id: string;
  title: string;
  status: string;
  free_preview: boolean;
  required: boolean;
  drip_days: number;
  duration_seconds: number | null;
  position: number;
  has_quiz: boolean;
}

/** A course's modules in order, each with its lessons in order (titles only; `everything` includes drafts). */
export async function courseOutline(db: TenantDb, courseId: string, everything: boolean) {
  const modules = await db.query<{ id: string; title: string; position: number }>(
    'select id, title, position from lms_modules where course_id = $1 order by position, created_at',
    [courseId],
  );
  const lessons = await db.query<OutlineLesson>(
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
