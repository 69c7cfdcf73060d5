import { recipientLocale } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { lmsMailMessages } from './mail-messages.js';

/**
 * `lms.reminders.send`: mails each learner whose active, unfinished enrolment in a published course saw no activity
 * for `reminderAfterDays`, once per stretch of inactivity (again only after new activity). At-least-once: a failed
 * run retries, and may repeat mails sent before the failure. A run that reminds anyone records one audit entry for
 * its batch (how many), not one per learner.
 */
export function sendRemindersJob({ job }: Builders) {
  return job({
    name: 'lms.reminders.send',
    maxRetries: 3,
    async run({ deps, ctx }) {
      const due = await deps.db.query<{ id: string; user_id: string; course_title: string; progress_percent: number }>(
        `select e.id, e.user_id, c.title as course_title, e.progress_percent
           from lms_enrollments e join lms_courses c on c.id = e.course_id
          where c.status = 'published' and e.completed_at is null and (e.expires_at is null or e.expires_at > now())
            and e.last_activity_at < now() - make_interval(days => $1)
            and (e.reminded_at is null or e.reminded_at < e.last_activity_at)
          order by e.last_activity_at limit 1000`,
        [ctx.settings.reminderAfterDays],
      );
      for (const enrollment of due) {
        const learner = await deps.members.get(enrollment.user_id);
        if (learner) {
          const t = lmsMailMessages.translator(recipientLocale(learner, ctx.tenant));
          const values = { name: learner.name, course: enrollment.course_title, tenant: ctx.tenant.name, percent: enrollment.progress_percent };
          await deps.mailer.send({ to: learner.email, subject: t('reminderSubject', values), text: t('reminderBody', values) });
        }
        await deps.db.query('update lms_enrollments set reminded_at = now() where id = $1', [enrollment.id]);
      }
      if (due.length > 0) await deps.audit.record({ entity: 'reminder', verb: 'sent', target: ctx.jobId, data: { enrollments: due.length } });
      if (due.length === 1000) await deps.jobs.enqueue('lms.reminders.send', {});
    },
  });
}
