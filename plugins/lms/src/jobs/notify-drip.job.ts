import type { Builders } from '../deps.js';
import { notifyLearner } from '../services/notices.js';

/**
 * `lms.drip.notify`: finds lessons a learner's drip schedule has unlocked (published, `drip_days` > 0) that they were
 * not told about, records each notice (so each lesson is announced once per enrolment) and notifies the learner and
 * their guardians once per enrolment, listing them, in the same transaction (a failed run notifies nobody, and its
 * retry announces the same lessons); one audit entry for the batch (how many lessons, how many enrolments).
 */
export function notifyDripJob({ job }: Builders) {
  return job({
    name: 'lms.drip.notify',
    maxRetries: 3,
    async run({ deps, ctx }) {
      const unlocked = await deps.db.query<{
        enrollment_id: string;
        user_id: string;
        lesson_id: string;
        lesson_title: string;
        course_id: string;
        course_title: string;
      }>(
        `with fresh as (
           select e.id as enrollment_id, l.id as lesson_id
             from lms_enrollments e
             join lms_courses c on c.id = e.course_id and c.status = 'published'
             join lms_lessons l on l.course_id = e.course_id and l.status = 'published' and l.drip_days > 0
            where (e.expires_at is null or e.expires_at > now()) and e.created_at + make_interval(days => l.drip_days) <= now()
              and not exists (select 1 from lms_drip_notices n where n.enrollment_id = e.id and n.lesson_id = l.id)
            limit 2000),
         noted as (insert into lms_drip_notices (enrollment_id, lesson_id) select enrollment_id, lesson_id from fresh on conflict do nothing returning enrollment_id, lesson_id)
         select n.enrollment_id, e.user_id, l.id as lesson_id, l.title as lesson_title, c.id as course_id, c.title as course_title
           from noted n join lms_enrollments e on e.id = n.enrollment_id join lms_lessons l on l.id = n.lesson_id join lms_courses c on c.id = e.course_id
          order by n.enrollment_id, l.position`,
      );
      const byEnrollment = new Map<string, typeof unlocked>();
      for (const row of unlocked) byEnrollment.set(row.enrollment_id, [...(byEnrollment.get(row.enrollment_id) ?? []), row]);
      for (const [enrollmentId, rows] of byEnrollment) {
        const { user_id: learnerId, course_id: courseId, course_title: course, lesson_id: firstLesson } = rows[0]!;
        await notifyLearner(deps, ctx.tenant.slug, {
          learnerId,
          event: 'lessons-unlocked',
          data: { course, lessons: rows.map((row) => row.lesson_title).join(', ') },
          // A lesson is announced in one batch per enrolment: the first one names the batch.
          key: `lessons-unlocked:${enrollmentId}:${firstLesson}`,
          links: { learner: { page: `/learn/${courseId}`, console: `/my/courses/${courseId}` } },
        });
      }
      if (unlocked.length > 0)
        await deps.audit.record({ entity: 'drip_notice', verb: 'sent', target: ctx.jobId, data: { lessons: unlocked.length, enrollments: byEnrollment.size } });
      if (unlocked.length === 2000) await deps.jobs.enqueue('lms.drip.notify', {});
    },
  });
}
