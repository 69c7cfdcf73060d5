import { ConflictError, type PluginAudit, type PluginEvents, type PluginMembers, type RequestContext, type TenantDb } from '@plinth/sdk';
import { callerId } from './access.js';
import { readableLesson } from './lesson-access.js';
import { refreshProgress } from './progress.js';

/** What completing a lesson changed. */
export interface LessonCompletion {
  lessonId: string;
  courseId: string;
  completedAt: Date;
  progressPercent: number;
  courseCompleted: boolean;
}

/**
 * Marks a lesson complete for the calling learner (the JSON route and the learner pages both use it): they must be
 * enrolled and the lesson unlocked (403/404 as {@link readableLesson}), and its quiz passed when it requires so
 * (409). Idempotent: a second call keeps the first completion time and emits nothing. Recomputes the course progress
 * (which may complete the course and issue the certificate).
 */
export async function completeLesson(
  deps: { db: TenantDb; events: PluginEvents; members: PluginMembers; audit: PluginAudit },
  ctx: RequestContext<unknown>,
  lessonId: string,
): Promise<LessonCompletion> {
  const { lesson, enrollment } = await readableLesson(deps.db, ctx, lessonId, { requireEnrollment: true });
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
    lessonId: lesson.id,
    courseId: lesson.course_id,
    completedAt: stored!.completed_at,
    progressPercent: progress.percent,
    courseCompleted: progress.completed,
  };
}
