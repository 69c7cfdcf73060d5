import { createHash } from 'node:crypto';
import type { MailMessage } from '@plinth/sdk';
import { runAsSystem, runInTenant, type ScopedDb } from '../db/scoped-db.js';
import { isTenantPage, issueSignInLink } from '../customers/customers.js';
import type { KernelServices } from '../kernel.js';
import type { Tenant } from '../tenancy/tenant-directory.js';
import { sendThroughChannel } from './channels.js';
import { notificationCatalogue } from './declarations.js';
import { readerLocale } from './inbox.js';
import { notificationMessages } from './notification-messages.js';
import { translate } from './render.js';
import { signUnsubscribe } from './unsubscribe-token.js';

/** Sends one delivery (an email, SMS or WhatsApp message of one notification to one person). */
export const deliverJob = 'core.notifications.deliver';
/** Sends the hourly summaries, and the daily ones of tenants where it is 08:00 (hourly). */
export const digestJob = 'core.notifications.digest';
/** Queues deliveries whose job a crash lost between the commit and the queueing (every minute). */
export const deliverySweepJob = 'core.notifications.sweep';

/** Attempts after the first failure; after the last, the delivery is `failed`. */
const maxRetries = 3;
/** A pending instant delivery never tried this long after it was written lost its job. */
const lostAfterSeconds = 60;
/** The local hour daily summaries go out at, in the tenant's time zone. */
export const dailyDigestHour = 8;

type DeliveryServices = Pick<KernelServices, 'jobs' | 'logger' | 'database' | 'mailer' | 'config' | 'publicUrl' | 'plugins' | 'tenants' | 'clock'>;

interface DeliveryData {
  tenantId: string;
  deliveryId: string;
}

interface DeliveryRow {
  id: string;
  user_id: string;
  category: string;
  channel: 'email' | 'sms' | 'whatsapp';
  address: string | null;
  subject: string;
  body: string;
  url: string | null;
  status: string;
}

/** Queues the deliveries' jobs, once their notification has committed; a failure is logged and left to the sweep. */
export async function enqueueDeliveries(services: Pick<KernelServices, 'jobs' | 'logger'>, tenantId: string, ids: readonly string[]): Promise<void> {
  for (const deliveryId of ids) {
    await services.jobs
      .enqueue<DeliveryData>(deliverJob, { tenantId, deliveryId })
      .catch((error: unknown) => services.logger.warn({ err: error, deliveryId }, 'notification delivery not queued'));
  }
}

/** Defines the notification jobs (every role: an API process only queues). */
export function defineNotificationWork(services: DeliveryServices): void {
  services.jobs.define<DeliveryData>(deliverJob, (run) => deliverOnce(services, run.data, run.attempt), { concurrency: 5, maxRetries });
  services.jobs.define(digestJob, async () => void (await sendDigests(services, services.clock.now())), { concurrency: 1 });
  services.jobs.define(deliverySweepJob, () => sweepLostDeliveries(services), { concurrency: 1 });
}

/** Schedules the hourly digests and the sweep (one schedule for the host, whatever the number of workers). */
export async function scheduleNotificationWork(services: DeliveryServices): Promise<void> {
  await services.jobs.every('0 * * * *', digestJob, {}, { name: digestJob });
  await services.jobs.every('1 minute', deliverySweepJob, {}, { name: deliverySweepJob });
}

/**
 * Sends a delivery once: its row is locked and its status checked in the transaction that records the outcome, so
 * a second run waits, then finds it done. A run that dies after sending and before committing sends again with
 * the same idempotency key (the mail's Message-ID, the SMS provider's key). A failure is recorded and retried
 * with backoff; after the last attempt the delivery is `failed`.
 */
async function deliverOnce(services: DeliveryServices, data: DeliveryData, attempt: number): Promise<void> {
  const tenant = await services.tenants.byId(data.tenantId);
  if (!tenant) return;
  try {
    await runInTenant(services.database, tenant.id, async (db) => {
      const delivery = await db.one<DeliveryRow>(
        'select id, user_id, category, channel, address, subject, body, url, status from notification_deliveries where id = $1 for update',
        [data.deliveryId],
      );
      if (!delivery || delivery.status !== 'pending') return;
      const outcome = delivery.channel === 'email' ? await sendEmail(services, tenant, db, delivery) : await sendMessage(services, tenant, db, delivery);
      await db.query(
        `update notification_deliveries set status = $2, attempts = attempts + 1, last_error = $3, provider_message_id = $4,
           sent_at = case when $2 = 'sent' then now() end, updated_at = now() where id = $1`,
        [delivery.id, outcome.status, outcome.reason ?? null, outcome.providerMessageId ?? null],
      );
    });
  } catch (error) {
    const last = attempt > maxRetries;
    const message = error instanceof Error ? error.message : String(error);
    await runInTenant(services.database, tenant.id, (db) =>
      db.query(
        `update notification_deliveries set attempts = attempts + 1, last_error = $2, status = case when $3 then 'failed' else status end, updated_at = now()
          where id = $1 and status = 'pending'`,
        [data.deliveryId, message.slice(0, 1000), last],
      ),
    );
    services.logger.warn({ err: error, deliveryId: data.deliveryId, attempt }, last ? 'notification delivery failed' : 'notification delivery will be retried');
    if (!last) throw error;
  }
}

interface Outcome {
  status: 'sent' | 'skipped';
  reason?: string;
  providerMessageId?: string | null;
}

/**
 * The link a notification mail carries: to one of the tenant's pages (a customer's course, order, certificate), a
 * single-use sign-in link that lands there signed in (`customers.signInLink`: a "Continue" button, so a scanner's GET
 * uses nothing up), made when the mail is sent and never stored in the inbox; to the console, the page itself.
 */
async function mailedLink(services: DeliveryServices, tenant: Tenant, db: ScopedDb, userId: string, path: string): Promise<string> {
  if (!isTenantPage(tenant.slug, path)) return absolute(services, path);
  return (await issueSignInLink(db, { tenantSlug: tenant.slug, publicUrl: services.publicUrl(), userId, next: path })) ?? absolute(services, path);
}

/** The absolute URL of an inbox path. */
const absolute = (services: Pick<KernelServices, 'publicUrl'>, path: string) => `${services.publicUrl().replace(/\/$/, '')}${path}`;

/** The category's label in `locale`. */
function categoryLabel(services: Pick<KernelServices, 'plugins'>, category: string, locale: string): { label: string; required: boolean } {
  const catalogue = notificationCatalogue(services.plugins.plugins);
  const declared = catalogue.categories.get(category);
  if (!declared) return { label: category, required: false };
  return { label: translate(declared.label, catalogue.translationsOf(declared.plugin), locale), required: declared.required === true };
}

/**
 * A notification mail: the text, its link, and (unless every category is required) a footer and the RFC 8058
 * one-click unsubscribe headers whose token turns those categories' email off for this person.
 */
function notificationMail(
  services: Pick<KernelServices, 'plugins' | 'publicUrl' | 'config'>,
  tenant: Tenant,
  input: { to: string; userId: string; locale: string; subject: string; text: string; categories: readonly string[]; idempotencyKey: string },
): MailMessage {
  const t = notificationMessages.translator(input.locale);
  const optional = input.categories.filter((category) => !categoryLabel(services, category, input.locale).required);
  let text = input.text;
  const headers: Record<string, string> = {};
  if (optional.length > 0) {
    const token = signUnsubscribe(services.config.jwtSecret, { tenantId: tenant.id, userId: input.userId, category: optional.join(',') });
    const url = absolute(services, `/api/v1/notifications/unsubscribe/${token}`);
    const labels = optional.map((category) => categoryLabel(services, category, input.locale).label).join(', ');
    text += `\n\n--\n${t('footer', { category: labels, tenant: tenant.name, url })}`;
    headers['List-Unsubscribe'] = `<${url}>`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  return { to: input.to, subject: input.subject, text, headers, idempotencyKey: input.idempotencyKey };
}

async function sendEmail(services: DeliveryServices, tenant: Tenant, db: ScopedDb, delivery: DeliveryRow): Promise<Outcome> {
  if (!delivery.address) return { status: 'skipped', reason: 'no email address' };
  const locale = await readerLocale(db, delivery.user_id, tenant.locale);
  const t = notificationMessages.translator(locale);
  const url = delivery.url && (await mailedLink(services, tenant, db, delivery.user_id, delivery.url));
  const text = url ? `${delivery.body}\n\n${t('open', { url })}` : delivery.body;
  await services.mailer.send(
    notificationMail(services, tenant, {
      to: delivery.address,
      userId: delivery.user_id,
      locale,
      subject: delivery.subject,
      text,
      categories: [delivery.category],
      idempotencyKey: `notification:${delivery.id}`,
    }),
  );
  return { status: 'sent' };
}

/** An SMS or WhatsApp message, to the person's verified phone, through the channel a plugin of the tenant offers. */
async function sendMessage(services: DeliveryServices, tenant: Tenant, db: ScopedDb, delivery: DeliveryRow): Promise<Outcome> {
  const phone = await verifiedPhone(services, delivery.user_id);
  if (!phone) return { status: 'skipped', reason: 'no verified phone number' };
  await db.query('update notification_deliveries set address = $2 where id = $1', [delivery.id, phone]);
  const text = delivery.url ? `${delivery.body} ${absolute(services, delivery.url)}` : delivery.body;
  const sent = await sendThroughChannel(services, tenant, db, {
    channel: delivery.channel as 'sms' | 'whatsapp',
    to: phone,
    text,
    idempotencyKey: delivery.id,
  });
  if (!sent) return { status: 'skipped', reason: delivery.channel === 'sms' ? 'no SMS channel' : 'no WhatsApp channel' };
  return { status: 'sent', providerMessageId: sent.providerMessageId ?? null };
}

/** The user's phone number, once verified (a host column, read on the system path). */
export async function verifiedPhone(services: Pick<KernelServices, 'database'>, userId: string): Promise<string | undefined> {
  const row = await runAsSystem(services.database, (db) =>
    db.one<{ phone: string }>('select phone from users where id = $1 and phone is not null and phone_verified_at is not null', [userId]),
  );
  return row?.phone;
}

/**
 * Sends one summary mail per person and period of the deliveries waiting for it: hourly ones at every run, daily
 * ones when it is {@link dailyDigestHour} o'clock in the tenant's time zone at `now`. Each summary locks its rows
 * (skipping those another run holds) and marks them `digested` in the transaction that sends it.
 */
export async function sendDigests(services: DeliveryServices, now: Date): Promise<number> {
  const groups = await runAsSystem(services.database, (db) =>
    db.query<{ tenant_id: string; user_id: string; digest: string; ids: string[] }>(
      `select d.tenant_id, d.user_id, d.digest, array_agg(d.id order by d.created_at, d.id) as ids
         from notification_deliveries d join tenants t on t.id = d.tenant_id
        where d.status = 'pending' and d.digest <> 'instant' and d.channel = 'email'
          and (d.digest = 'hourly' or extract(hour from $1::timestamptz at time zone t.time_zone) = $2)
        group by d.tenant_id, d.user_id, d.digest`,
      [now, dailyDigestHour],
    ),
  );
  let sent = 0;
  for (const group of groups) {
    const tenant = await services.tenants.byId(group.tenant_id);
    if (!tenant) continue;
    await runInTenant(services.database, tenant.id, async (db) => {
      const rows = await db.query<DeliveryRow>(
        `select id, user_id, category, channel, address, subject, body, url, status from notification_deliveries
          where id = any($1) and status = 'pending' order by created_at, id for update skip locked`,
        [group.ids],
      );
      const address = rows.find((row) => row.address)?.address;
      if (rows.length === 0 || !address) return;
      const locale = await readerLocale(db, group.user_id, tenant.locale);
      const t = notificationMessages.translator(locale);
      const lines = rows.map((row) => `• ${row.subject}\n${row.body}${row.url ? `\n${absolute(services, row.url)}` : ''}`);
      const key = createHash('sha256')
        .update(rows.map((row) => row.id).join(','))
        .digest('base64url');
      await services.mailer.send(
        notificationMail(services, tenant, {
          to: address,
          userId: group.user_id,
          locale,
          subject: t('digestSubject', { count: rows.length, tenant: tenant.name }),
          text: `${t('digestIntro', { tenant: tenant.name })}\n\n${lines.join('\n\n')}`,
          categories: [...new Set(rows.map((row) => row.category))],
          idempotencyKey: `digest:${key}`,
        }),
      );
      await db.query(
        "update notification_deliveries set status = 'digested', attempts = attempts + 1, sent_at = now(), updated_at = now() where id = any($1)",
        [rows.map((row) => row.id)],
      );
      sent += 1;
    });
  }
  return sent;
}

/** Queues instant deliveries never tried a minute after they were written, unless their job is still pending. */
async function sweepLostDeliveries(services: DeliveryServices): Promise<void> {
  const lost = await runAsSystem(services.database, (db) =>
    db.query<{ id: string; tenant_id: string }>(
      `select id, tenant_id from notification_deliveries where status = 'pending' and digest = 'instant' and attempts = 0
        and created_at < now() - make_interval(secs => $1) order by created_at limit 1000`,
      [lostAfterSeconds],
    ),
  );
  if (lost.length === 0) return;
  const jobs = await services.jobs.find(
    deliverJob,
    'deliveryId',
    lost.map((row) => row.id),
  );
  for (const row of lost) if (jobs.get(row.id) !== 'pending') await enqueueDeliveries(services, row.tenant_id, [row.id]);
}
