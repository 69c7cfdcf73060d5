import { randomBytes } from 'node:crypto';
import type { PluginAudit, PluginEvents, PluginMembers, TenantDb } from '@plinth/sdk';
import { learnerInfo, memberOrPlaceholder } from './enrollments.js';

interface ProgressDeps {
  db: TenantDb;
  events: PluginEvents;
  members: PluginMembers;
  audit: PluginAudit;
}

/** A certificate's verification code: 16 characters from an alphabet without look-alikes. */
export function certificateCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return [...randomBytes(16)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

/**
 * Recomputes an enrolment's progress: the share of the course's published, required lessons completed. On
 * reaching 100 % the first time, marks the enrolment complete, emits `lms.course.completed`, issues the
 * certificate and emits `lms.certificate.issued` (both recorded in the audit log: staff-visible changes of state;
 * the percentage moving on its own is progress, not recorded).
 */
export async function refreshProgress(deps: ProgressDeps, enrollmentId: string): Promise<{ percent: number; completed: boolean }> {
  const { db, events } = deps;
  // Lock first, count after, in a separate statement: under READ COMMITTED the count then sees a concurrent
  // completion committed while we waited, so two last lessons completed at once still complete the course.
  // (`no key update` does not clash with the key-share locks the progress rows' foreign keys hold: no deadlock.)
  await db.query('select id from lms_enrollments where id = $1 for no key update', [enrollmentId]);
  const row = await db.one<{
    course_id: string;
    course_title: string;
    user_id: string;
    unit_id: string | null;
    completed_at: Date | null;
    total: number;
    done: number;
  }>(
    `select e.course_id, c.title as course_title, e.user_id, e.unit_id, e.completed_at,
            (select count(*)::int from lms_lessons l where l.course_id = e.course_id and l.status = 'published' and l.required) as total,
            (select count(*)::int from lms_lesson_progress p join lms_lessons l on l.id = p.lesson_id
              where p.enrollment_id = e.id and p.completed_at is not null and l.status = 'published' and l.required) as done
       from lms_enrollments e join lms_courses c on c.id = e.course_id where e.id = $1`,
    [enrollmentId],
  );
  if (!row) return { percent: 0, completed: false };
  const percent = row.total === 0 ? 0 : Math.floor((row.done * 100) / row.total);
  const completesNow = row.total > 0 && row.done >= row.total && !row.completed_at;
  await db.query(
    `update lms_enrollments set progress_percent = $2, last_activity_at = now(), updated_at = now(),
       completed_at = case when $3::boolean then now() else completed_at end where id = $1`,
    [enrollmentId, percent, completesNow],
  );
  if (completesNow) {
    const learner = learnerInfo(await memberOrPlaceholder(deps.members, row.user_id));
    await events.emit('lms.course.completed', { enrollmentId, courseId: row.course_id, courseTitle: row.course_title, learner });
    await deps.audit.record({
      entity: 'enrollment',
      verb: 'completed',
      target: enrollmentId,
      unit: row.unit_id,
      data: { course_id: row.course_id, user_id: row.user_id },
    });
    const code = certificateCode();
    const certificate = await db.one<{ id: string; code: string }>(
      `insert into lms_certificates (enrollment_id, course_id, user_id, code, learner_name, course_title, issued_at)
       values ($1, $2, $3, $4, $5, $6, now()) on conflict (tenant_id, enrollment_id) do nothing returning id, code`,
      [enrollmentId, row.course_id, row.user_id, code, learner.name, row.course_title],
    );
    if (certificate) {
      await events.emit('lms.certificate.issued', { certificateId: certificate.id, code: certificate.code, courseId: row.course_id, learner });
      // The learner's name is on the certificate (public by its code): kept out of the log.
      await deps.audit.record({
        entity: 'certificate',
        verb: 'issued',
        target: certificate.id,
        unit: row.unit_id,
        after: { code: certificate.code, enrollment_id: enrollmentId, course_id: row.course_id, user_id: row.user_id, learner_name: learner.name },
        redact: ['learner_name'],
      });
    }
  }
  return { percent, completed: completesNow || !!row.completed_at };
}
