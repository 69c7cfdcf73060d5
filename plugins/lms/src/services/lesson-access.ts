import { actingUserId, ForbiddenError, NotFoundError, type RequestContext, type TenantDb } from '@plinth/sdk';
import { activeEnrollment, callerId, canSeeEverything, courseAccessJson, type ActiveEnrollment, type CourseAccessRow } from './access.js';

/** A lesson with its course's access columns. */
export interface LessonRow {
  id: string;
  course_id: string;
  module_id: string;
  title: string;
  status: 'draft' | 'published';
  free_preview: boolean;
  required: boolean;
  drip_days: number;
  course: CourseAccessRow;
}

/** What reading a lesson found: the lesson, whether the caller sees everything (staff, instructor), their enrolment. */
export interface LessonAccess {
  lesson: LessonRow;
  staff: boolean;
  enrollment: ActiveEnrollment | undefined;
}

const DAY_MS = 86_400_000;

/** When a lesson unlocks for an enrolment (drip: `drip_days` after enrolling). */
export function availableAt(lesson: Pick<LessonRow, 'drip_days'>, enrollment: Pick<ActiveEnrollment, 'created_at'>): Date {
  return new Date(new Date(enrollment.created_at).getTime() + lesson.drip_days * DAY_MS);
}

async function loadLesson(db: TenantDb, lessonId: string): Promise<LessonRow | undefined> {
  return db.one<LessonRow>(
    `select l.id, l.course_id, l.module_id, l.title, l.status, l.free_preview, l.required, l.drip_days,
            ${courseAccessJson()} as course
       from lms_lessons l join lms_courses c on c.id = l.course_id where l.id = $1`,
    [lessonId],
  );
}

/**
 * The lesson if the caller may read it: staff and instructors always; a learner when course and lesson are
 * published, or the course archived and they are enrolled (404 otherwise), and the lesson is a free preview or they hold an active enrolment whose drip
 * schedule has unlocked it (403 otherwise).
 */
export async function readableLesson(
  db: TenantDb,
  ctx: RequestContext<unknown>,
  lessonId: string,
  options: { requireEnrollment?: boolean } = {},
): Promise<LessonAccess> {
  const lesson = await loadLesson(db, lessonId);
  if (!lesson) throw new NotFoundError('Lesson not found');
  const staff = canSeeEverything(ctx, lesson.course);
  const userId = staff && !options.requireEnrollment ? actingUserId(ctx) : callerId(ctx);
  const enrollment = userId ? await activeEnrollment(db, lesson.course_id, userId) : undefined;
  if (staff && !options.requireEnrollment) return { lesson, staff, enrollment };
  const courseOpen = lesson.course.status === 'published' || (lesson.course.status === 'archived' && enrollment);
  if (!courseOpen || lesson.status !== 'published') throw new NotFoundError('Lesson not found');
  if (!enrollment) {
    if (lesson.free_preview && !options.requireEnrollment) return { lesson, staff, enrollment };
    throw new ForbiddenError('Enrol in the course to open this lesson');
  }
  const unlocks = availableAt(lesson, enrollment);
  if (unlocks.getTime() > Date.now() && !lesson.free_preview) throw new ForbiddenError(`This lesson unlocks on ${unlocks.toISOString()}`);
  return { lesson, staff, enrollment };
}

/** The lesson if the caller manages its course (404 when not visible to them, 403 when visible but not theirs). */
export async function managedLesson(
  db: TenantDb,
  ctx: RequestContext<unknown>,
  lessonId: string,
  canManage: (course: CourseAccessRow) => boolean,
): Promise<LessonRow> {
  const lesson = await loadLesson(db, lessonId);
  if (!lesson) throw new NotFoundError('Lesson not found');
  if (!canSeeEverything(ctx, lesson.course) && (lesson.course.status !== 'published' || lesson.status !== 'published'))
    throw new NotFoundError('Lesson not found');
  if (!canManage(lesson.course)) throw new ForbiddenError('Only staff and the course’s instructors may change it');
  return lesson;
}
