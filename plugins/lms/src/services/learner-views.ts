import { listPage, type ListPage, type PageQuery, type TenantDb } from '@plinth/sdk';
import type { ActiveEnrollment } from './access.js';
import type { EnrollmentSource } from './enrollments.js';
import { availableAt } from './lesson-access.js';

/** One of the learner's enrolments with its course, as `my/courses` and the "My courses" page show it. */
export interface MyCourseRow {
  enrollment_id: string;
  course_id: string;
  title: string;
  slug: string;
  level: string;
  category: string | null;
  source: EnrollmentSource;
  progress_percent: number;
  completed_at: Date | null;
  expires_at: Date | null;
  expired: boolean;
  last_activity_at: Date;
  enrolled_at: Date;
  certificate_code: string | null;
}

/** A page of the learner's enrolments, most recently active first (expired ones included, flagged). */
export async function myCourses(db: TenantDb, userId: string, query: PageQuery): Promise<ListPage<MyCourseRow>> {
  return listPage<MyCourseRow>(
    db,
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
}

/** A published lesson of an enrolled course with the learner's progress and when it unlocks. */
export interface MyLesson {
  id: string;
  module_id: string;
  module_title: string;
  title: string;
  drip_days: number;
  free_preview: boolean;
  required: boolean;
  duration_seconds: number | null;
  completed_at: Date | null;
  position_seconds: number;
  available_at: Date;
  locked: boolean;
}

/** Every published lesson of the course in order (module, then lesson), with the enrolment's progress on each. */
export async function myLessons(db: TenantDb, courseId: string, enrollment: ActiveEnrollment): Promise<MyLesson[]> {
  const lessons = await db.query<Omit<MyLesson, 'available_at' | 'locked'>>(
    `select l.id, l.module_id, m.title as module_title, l.title, l.drip_days, l.free_preview, l.required, l.duration_seconds,
            p.completed_at, coalesce(p.position_seconds, 0) as position_seconds
       from lms_lessons l join lms_modules m on m.id = l.module_id
       left join lms_lesson_progress p on p.lesson_id = l.id and p.enrollment_id = $2
      where l.course_id = $1 and l.status = 'published' order by m.position, m.created_at, l.position, l.created_at`,
    [courseId, enrollment.id],
  );
  const now = Date.now();
  return lessons.map((lesson) => {
    const unlocks = availableAt(lesson, enrollment);
    return { ...lesson, available_at: unlocks, locked: !lesson.free_preview && unlocks.getTime() > now };
  });
}
