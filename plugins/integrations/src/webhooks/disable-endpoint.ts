import { defineMessages, recipientLocale } from '@plinth/sdk';
import { auditedEndpoint, recordChange } from '../audit.js';
import type { Deps } from '../deps.js';
import { addToInbox } from '../notifications/inbox.js';
import { integrationsPermissions } from '../permissions.js';
import type { EndpointRow } from './endpoint-store.js';

/** Why an endpoint was disabled: it answered 410 Gone, or every delivery failed for `hours`. */
export type DisableReason = { kind: 'gone' } | { kind: 'failing'; hours: number };

/** The words of the endpoint-disabled notice, English and Arabic (ICU MessageFormat). */
export const disabledMessages = defineMessages({
  en: {
    title: 'A webhook endpoint was disabled',
    gone: 'the receiver answered 410 Gone',
    failing: 'every delivery failed for {hours, plural, one {# hour} other {# hours}}',
    body: 'Deliveries to {url} stopped: {reason}. Fix the receiver, then enable the endpoint again and redeliver what it missed.',
  },
  ar: {
    title: 'عُطّلت نقطة استقبال Webhook',
    gone: 'أجاب المستقبِل بالحالة 410 Gone',
    failing: 'فشلت كل عمليات التسليم لمدة {hours, plural, zero {# ساعة} one {ساعة واحدة} two {ساعتين} few {# ساعات} many {# ساعة} other {# ساعة}}',
    body: 'توقفت عمليات التسليم إلى {url}: {reason}. أصلح المستقبِل، ثم فعّل نقطة الاستقبال من جديد وأعد تسليم ما فاتها.',
  },
});

/** The notice in `locale`'s language. */
function notice(locale: string, url: string, reason: DisableReason): { title: string; body: string } {
  const t = disabledMessages.translator(locale);
  const why = reason.kind === 'gone' ? t('gone') : t('failing', { hours: reason.hours });
  return { title: t('title'), body: t('body', { url, reason: why }) };
}

/**
 * Disables an endpoint (410 Gone, or sustained failure), emits `integrations.endpoint.disabled`, and tells the
 * members who manage webhooks: in their in-app inbox, and by email once the transaction commits.
 */
export async function disableEndpoint(
  deps: Pick<Deps, 'db' | 'events' | 'members' | 'mailer' | 'logger' | 'audit'>,
  endpoint: { id: string; url: string },
  reason: DisableReason,
  now: Date,
  /** The tenant's locale: the inbox entry is written in it, each mail in its reader's; the stored reason is English data. */
  locale = 'en',
): Promise<void> {
  const inbox = notice(locale, endpoint.url, reason);
  const stored = reason.kind === 'gone' ? 'the receiver answered 410 Gone' : `every delivery failed for ${reason.hours} hours`;
  const before = await deps.db.one<EndpointRow>('select * from integrations_endpoints where id = $1 and enabled for update', [endpoint.id]);
  if (!before) return;
  const [after] = await deps.db.query<EndpointRow>(
    'update integrations_endpoints set enabled = false, disabled_reason = $2, disabled_at = $3, updated_at = now() where id = $1 returning *',
    [endpoint.id, stored, now],
  );
  // Disabled by the delivery job: the entry has no actor, and says why.
  await recordChange(deps.audit, auditedEndpoint, 'disabled', { before, after: after!, data: { reason: stored } });
  await deps.events.emit('integrations.endpoint.disabled', { endpointId: endpoint.id, url: endpoint.url, reason: stored });
  const admins = await deps.members.list({ permission: integrationsPermissions['webhooks.manage'].name });
  await addToInbox(
    deps.db,
    admins.map((admin) => admin.userId),
    { title: inbox.title, body: inbox.body, eventName: 'integrations.endpoint.disabled' },
  );
  deps.db.afterCommit(async () => {
    for (const admin of admins) {
      const mail = notice(recipientLocale(admin, { locale }), endpoint.url, reason);
      await deps.mailer
        .send({ to: admin.email, subject: mail.title, text: mail.body })
        .catch((error: unknown) => deps.logger.warn({ err: error, endpointId: endpoint.id }, 'endpoint-disabled mail not sent'));
    }
  });
  deps.logger.info({ endpointId: endpoint.id, reason: stored }, 'webhook endpoint disabled');
}
