import { defineMessages, type MailAttachment } from '@plinth/sdk';
import { runInTenant } from '../db/scoped-db.js';
import type { FileRecord } from '../files/file-service.js';
import type { KernelServices } from '../kernel.js';
import { maxAttachmentBytes } from '../mail/mailer.js';
import { mailLocale } from '../mail/mail-messages.js';
import type { Tenant } from '../tenancy/tenant-directory.js';
import type { RegisteredReport } from './report-registry.js';
import { translate } from './report-runs.js';

/** The mail of a scheduled report (English and Arabic, ICU). */
export const reportMailMessages = defineMessages({
  en: {
    subject: '{report} — {tenant}',
    attached: 'Your scheduled report {report} of {tenant} is attached ({rows, plural, one {# row} other {# rows}}).\n',
    linked:
      'Your scheduled report {report} of {tenant} is ready ({rows, plural, one {# row} other {# rows}}). It is too large to attach; download it within {days, plural, one {# day} other {# days}}:\n\n{link}\n',
  },
  ar: {
    subject: '{report} — {tenant}',
    attached: 'مرفق تقريرك المجدول {report} من {tenant} ({rows, plural, zero {لا صفوف} one {صف واحد} two {صفّان} few {# صفوف} many {# صفًا} other {# صف}}).\n',
    linked:
      'تقريرك المجدول {report} من {tenant} جاهز ({rows, plural, zero {لا صفوف} one {صف واحد} two {صفّان} few {# صفوف} many {# صفًا} other {# صف}}). حجمه أكبر من أن يُرفق؛ نزّله خلال {days, plural, zero {# يوم} one {يوم واحد} two {يومين} few {# أيام} many {# يومًا} other {# يوم}}:\n\n{link}\n',
  },
});

/** A signed link lives at most this long (the files service's limit, and the mail says so). */
const linkSeconds = 7 * 24 * 60 * 60;

/**
 * Mails a scheduled run's file to the schedule's recipients who are still staff members, each in their language:
 * attached when `delivery` is `attachment` and the file is at most 10 MiB, else a signed link valid until the run
 * expires (7 days at most). Each mail carries the key `report:<run>:<user>`: a retry after a crash sends the same
 * Message-ID, which receivers (and the outbox) drop.
 */
export async function deliverScheduledRun(
  services: KernelServices,
  tenant: Tenant,
  run: { id: string; scheduleId: string; registered: RegisteredReport; file: FileRecord; expiresAt: Date },
): Promise<void> {
  const { schedule, recipients, rows } = await runInTenant(services.database, tenant.id, async (db) => {
    const schedule = await db.one<{ delivery: 'attachment' | 'link'; recipients: string[] }>(
      'select delivery, recipients from report_schedules where id = $1',
      [run.scheduleId],
    );
    const recipients = schedule
      ? await db.query<{ user_id: string; email: string; locale: string | null }>(
          'select user_id, email, locale from tenant_users where user_id = any($1::uuid[]) order by email',
          [schedule.recipients],
        )
      : [];
    const counted = await db.one<{ rows_done: number }>('select rows_done::float8 as rows_done from report_runs where id = $1', [run.id]);
    return { schedule, recipients, rows: counted?.rows_done ?? 0 };
  });
  if (!schedule || recipients.length === 0) return;
  const size = Number(run.file.size);
  let attachment: MailAttachment | undefined;
  if (schedule.delivery === 'attachment' && size <= maxAttachmentBytes) {
    const chunks: Buffer[] = [];
    for await (const chunk of await services.files.open(run.file)) chunks.push(chunk as Buffer);
    attachment = { filename: run.file.name, contentType: run.file.content_type, content: Buffer.concat(chunks) };
  }
  const seconds = Math.max(1, Math.min(linkSeconds, Math.floor((run.expiresAt.getTime() - services.clock.now().getTime()) / 1000)));
  const link = attachment ? undefined : services.files.signedUrl(run.file, { expiresInSeconds: seconds }).url;
  for (const recipient of recipients) {
    const language = mailLocale(recipient.locale, tenant.locale);
    const t = reportMailMessages.translator(language);
    const values = {
      report: translate(run.registered, run.registered.definition.title, language),
      tenant: tenant.name,
      rows,
      days: Math.ceil(seconds / 86_400),
      link: link ?? '',
    };
    await services.mailer.send({
      to: recipient.email,
      subject: t('subject', values),
      text: t(attachment ? 'attached' : 'linked', values),
      ...(attachment ? { attachments: [attachment] } : {}),
      idempotencyKey: `report:${run.id}:${recipient.user_id}`,
    });
  }
}
