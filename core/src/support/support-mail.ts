import { defineMessages } from '@plinth/sdk';
import type { Database } from '../db/database.js';
import { runAsSystem } from '../db/scoped-db.js';
import type { Mailer } from '../mail/mailer.js';
import { mailLocale } from '../mail/mail-messages.js';

/** The mail a tenant's owners get when a host operator asks for support access (English and Arabic, ICU). */
export const supportMailMessages = defineMessages({
  en: {
    subject: 'Support access to {tenant} requested',
    body: '{operator} of the host asked for {readOnly, select, true {read-only} other {role {role}}} support access to {tenant} for {minutes, plural, one {# minute} other {# minutes}}.\n\nReason: {reason}\n\n{pending, select, true {It starts only once an owner approves it. Approve or deny it here:} other {Your settings do not ask for approval: it is active now. See it, or end it at once, here:}}\n{link}\n',
  },
  ar: {
    subject: 'طلب وصول الدعم إلى {tenant}',
    body: 'طلب {operator} من المضيف وصول الدعم {readOnly, select, true {للقراءة فقط} other {بدور {role}}} إلى {tenant} لمدة {minutes, plural, zero {# دقيقة} one {دقيقة واحدة} two {دقيقتين} few {# دقائق} many {# دقيقة} other {# دقيقة}}.\n\nالسبب: {reason}\n\n{pending, select, true {لا يبدأ إلا بعد موافقة أحد المالكين. وافق عليه أو ارفضه من هنا:} other {إعداداتك لا تطلب الموافقة: الوصول نشط الآن. اطّلع عليه أو أنهِه فورًا من هنا:}}\n{link}\n',
  },
});

/** What the owners are told of a new request. */
export interface SupportRequestNotice {
  tenant: { id: string; slug: string; name: string; locale: string };
  operator: string;
  reason: string;
  minutes: number;
  role: string | null;
  pending: boolean;
  link: string;
}

/**
 * Mails each owner of the tenant (a member holding the built-in `owner` role for the whole tenant), in their own
 * language, else the tenant's. Called after the request commits: the request stands without the mail.
 */
export async function mailOwners(database: Database, mailer: Mailer, notice: SupportRequestNotice): Promise<void> {
  const owners = await runAsSystem(database, (db) =>
    db.query<{ email: string; locale: string | null }>(
      `select distinct u.email, u.locale
         from memberships m
         join membership_roles mr on mr.membership_id = m.id and mr.unit_id is null
         join roles r on r.id = mr.role_id and r.builtin = 'owner'
         join users u on u.id = m.user_id
        where m.tenant_id = $1 and m.kind = 'staff' and u.status = 'active'`,
      [notice.tenant.id],
    ),
  );
  for (const owner of owners) {
    const t = supportMailMessages.translator(mailLocale(owner.locale, notice.tenant.locale));
    const values = {
      tenant: notice.tenant.name,
      operator: notice.operator,
      reason: notice.reason,
      minutes: notice.minutes,
      readOnly: String(notice.role === null),
      role: notice.role ?? '',
      pending: String(notice.pending),
      link: notice.link,
    };
    await mailer.send({ to: owner.email, subject: t('subject', values), text: t('body', values) });
  }
}
