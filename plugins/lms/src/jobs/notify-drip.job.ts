import { recipientLocale } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { lmsMailMessages } from './mail-messages.js';

/**
 * `lms.drip.notify`: finds lessons a learner's drip schedule has unlocked (published, `drip_days` > 0) that they were
 * not told about, records each notice (so each lesson is announced once per enrolment) and mails one message per
 * enrolment listing them; one audit entry for the batch (how many lessons, how many enrolments).
 */
export function notifyDripJob({ job }: Builders) {
  return job({
    name: 'lms.drip.notify',
    maxRetries: 3,
    async run({ deps, ctx }) {
      const unlocked = await deps.db.query<{ enrollment_id: string; user_id: string; lesson_title: string; course_title: string }>(
        `with fresh as (
           select e.id as enrollment_id, l.id as lesson_id
             from lms_enrollments e
             join lms_courses c on c.id = e.course_id and c.status = 'published'
             join lms_lessons l on l.course_id = e.course_id and l.status = 'published' and l.drip_days > 0
            where (e.expires_at is null or e.expires_at > now()) and e.created_at + make_interval(days => l.drip_days) <= now()
              and not exists (select 1 from lms_drip_notices n where n.enrollment_id = e.id and n.lesson_id = l.id)
            limit 2000),
         noted as (insert into lms_drip_notices (enrollment_id, lesson_id) select enrollment_id, lesson_id from fresh on conflict do nothing returning enrollment_id, lesson_id)
         select n.enrollment_id, e.user_id, l.title as lesson_title, c.title as course_title
           from noted n join lms_enrollments e on e.id = n.enrollment_id join lms_lessons l on l.id = n.lesson_id join lms_courses c on c.id = e.course_id
          order by n.enrollment_id, l.position`,
      );
      const byEnrollment = new Map<string, typeof unlocked>();
      for (const row of unlocked) byEnrollment.set(row.enrollment_id, [...(byEnrollment.get(row.enrollment_id) ?? []), row]);
      for (const rows of byEnrollment.values()) {
        const learner = await deps.members.get(rows[0]!.user_id);
        if (!learner) continue;
        const t = lmsMailMessages.translator(recipientLocale(learner, ctx.tenant));
        const values = {
          name: learner.name,
          course: rows[0]!.course_title,
          tenant: ctx.tenant.name,
          lessons: rows.map((row) => `- ${row.lesson_title}`).join('\n'),
        };
        await deps.mailer.send({ to: learner.email, subject: t('dripSubject', values), text: t('dripBody', values) });
      }
      if (unlocked.length > 0)
        await deps.audit.record({ entity: 'drip_notice', verb: 'sent', target: ctx.jobId, data: { lessons: unlocked.length, enrollments: byEnrollment.size } });
      if (unlocked.length === 2000) await deps.jobs.enqueue('lms.drip.notify', {});
    },
  });
}
