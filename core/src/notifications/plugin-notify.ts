import type { NotifyInput, NotifyResult, Plugin, PluginNotify, NotifyRecipient } from '@plinth/sdk';
import type { KernelServices } from '../kernel.js';
import type { ScopedDb } from '../db/scoped-db.js';
import type { UnitOfWork } from '../plugins/plugin-scope.js';
import { corePlugin } from './core-notifications.js';
import { notificationCatalogue, type DeclaredTemplate } from './declarations.js';
import { enqueueDeliveries } from './delivery.js';
import { announce } from './notification-events.js';
import { effectiveChoice, personChoices, tenantDefaults } from './preferences.js';
import { resolveRecipients, type Recipient } from './recipients.js';
import { renderMessage } from './render.js';

/** The kernel services a send uses. */
export type NotifyServices = Pick<KernelServices, 'plugins' | 'tenants' | 'logger' | 'jobs' | 'tenantAccess' | 'orgUnits'>;

/** What one send needs: the sender's name, its tenant, the transaction, and how its links become console paths. */
interface SendContext {
  services: NotifyServices;
  db: ScopedDb;
  plugin: string;
  tenant: { id: string; slug: string; locale: string };
}

/** The `notify` service of one plugin in one unit of work (see the SDK's `PluginNotify`). */
export function pluginNotify(plugin: Plugin, unit: UnitOfWork, services: KernelServices): PluginNotify {
  return {
    send: (input) => sendNotification({ services, db: unit.db, plugin: plugin.name, tenant: unit.tenant }, input),
  };
}

/**
 * The kernel's own `notify`, for core's modules (reports, support access, security): templates and categories
 * of `core` (see core-notifications.ts), in the transaction `db` of the tenant `tenant`.
 */
export function coreNotify(services: NotifyServices, db: ScopedDb, tenant: { id: string; slug: string }): PluginNotify {
  return {
    async send(input) {
      const locale = (await services.tenants.byId(tenant.id))?.locale ?? 'en';
      return sendNotification({ services, db, plugin: corePlugin, tenant: { ...tenant, locale } }, input);
    },
  };
}

/** The most a link may hold. */
const maxLinkLength = 2000;

/**
 * The inbox URL of a link: a plugin's console path under `/t/<tenant>/p/<plugin>`, core's under `/t/<tenant>`, a
 * customer page path of this tenant (`/c/<tenant>/…`) as it is. Undefined for anything else.
 */
export function linkUrl(link: string, plugin: string, slug: string): string | undefined {
  if (typeof link !== 'string' || link.length > maxLinkLength || !link.startsWith('/') || link.startsWith('//')) return undefined;
  if ([...link].some((character) => character <= ' ' || character === '\x7f' || character === '\\')) return undefined;
  if (link.startsWith('/c/')) return link === `/c/${slug}` || link.startsWith(`/c/${slug}/`) || link.startsWith(`/c/${slug}?`) ? link : undefined;
  return plugin === corePlugin ? `/t/${slug}${link}` : `/t/${slug}/p/${plugin}${link}`;
}

/** Writes the notification, its inbox items and deliveries in the sender's transaction; failures are recorded and returned, never thrown. */
async function sendNotification(context: SendContext, input: NotifyInput): Promise<NotifyResult> {
  const { db, services, plugin, tenant } = context;
  const catalogue = notificationCatalogue(services.plugins.plugins);
  const templateKey = typeof input?.template === 'string' ? input.template : String(input?.template);
  const found = catalogue.templates.get(templateKey);
  const template = found?.plugin === plugin ? found : undefined;
  const data = input?.data && typeof input.data === 'object' ? input.data : {};
  const key = typeof input?.key === 'string' && input.key !== '' ? input.key : null;
  const link = typeof input?.link === 'string' ? input.link.slice(0, maxLinkLength + 1) : null;
  const record = async (fields: { status: 'sent' | 'partial' | 'failed'; failure: string | null; recipients?: number }) => {
    const row = await db.one<{ id: string }>(
      `insert into notifications (plugin, template, category, data, link, key, status, failure, recipients) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        on conflict (tenant_id, plugin, key) do nothing returning id`,
      [plugin, templateKey, template?.category ?? null, JSON.stringify(data), link, key, fields.status, fields.failure, fields.recipients ?? 0],
    );
    return row?.id ?? null;
  };
  const fail = async (failure: string): Promise<NotifyResult> => {
    services.logger.warn({ tenantId: tenant.id, plugin, template: templateKey, failure }, 'notification not sent');
    const id = await record({ status: 'failed', failure });
    return { notificationId: id, recipients: 0, ...(id ? { failure } : {}) };
  };

  if (!template) return fail(`unknown template ${JSON.stringify(templateKey)} (not one of ${plugin}'s)`);
  const url = input.link === undefined || input.link === null ? null : linkUrl(input.link, plugin, tenant.slug);
  if (url === undefined) return fail(`link ${JSON.stringify(link)} is not a path of the plugin's pages or of this tenant's customer pages`);
  const to: readonly NotifyRecipient[] = Array.isArray(input.to) ? input.to : input.to ? [input.to as NotifyRecipient] : [];
  if (to.length === 0) return fail('no recipient given');
  const { people, problems } = await resolveRecipients(db, services, tenant.id, to);
  const rendered = renderFor(template, people, tenant.locale, data);
  if ('error' in rendered) return fail(rendered.error);

  const failure = problems.length > 0 ? problems.join('; ') : null;
  const status = failure === null ? 'sent' : people.length > 0 ? 'partial' : 'failed';
  const notificationId = await record({ status, failure, recipients: people.length });
  if (!notificationId) return { notificationId: null, recipients: 0 };
  if (failure) services.logger.warn({ tenantId: tenant.id, plugin, template: templateKey, failure }, 'notification not sent to everyone');

  const category = catalogue.categories.get(template.category)!;
  const defaults = (await tenantDefaults(db, [category.key])).get(category.key);
  const choices = await personChoices(
    db,
    category.key,
    people.map((person) => person.userId),
  );
  const items: unknown[][] = [];
  const deliveries: unknown[][] = [];
  for (const person of people) {
    const choice = effectiveChoice(category, defaults, choices.get(person.userId));
    const text = rendered.byLocale.get(person.locale ?? tenant.locale)!;
    if (choice.channels.inapp.enabled) items.push([person.userId, text.title, text.body]);
    for (const channel of ['email', 'sms', 'whatsapp'] as const) {
      if (!choice.channels[channel].enabled) continue;
      const address = channel === 'email' ? person.email : null;
      deliveries.push([
        person.userId,
        channel,
        address,
        text.title,
        channel === 'email' ? text.body : text.short,
        channel === 'email' ? choice.digest : 'instant',
      ]);
    }
  }
  const inserted = items.length
    ? await db.query<{ id: string; user_id: string }>(
        `insert into notification_items (user_id, notification_id, category, title, body, url)
          select u, $1, $2, t, b, $3 from unnest($4::uuid[], $5::text[], $6::text[]) as x(u, t, b) returning id, user_id`,
        [notificationId, category.key, url, ...columns(items, 3)],
      )
    : [];
  const queued = deliveries.length
    ? await db.query<{ id: string; digest: string }>(
        `insert into notification_deliveries (notification_id, category, url, user_id, channel, address, subject, body, digest)
          select $1, $2, $3, u, c, a, s, b, d from unnest($4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[]) as x(u, c, a, s, b, d)
          returning id, digest`,
        [notificationId, category.key, url, ...columns(deliveries, 6)],
      )
    : [];
  await announce(
    db,
    inserted.map((item) => ({ kind: 'notification', tenantId: tenant.id, userId: item.user_id, itemId: item.id })),
  );
  const instant = queued.filter((delivery) => delivery.digest === 'instant').map((delivery) => delivery.id);
  if (instant.length > 0) db.afterCommit(() => enqueueDeliveries(services, tenant.id, instant));
  return { notificationId, recipients: people.length, ...(failure ? { failure } : {}) };
}

/** Rows as columns, for `unnest`. */
function columns(rows: unknown[][], width: number): unknown[][] {
  return Array.from({ length: width }, (_unused, index) => rows.map((row) => row[index]));
}

interface RenderedText {
  title: string;
  body: string;
  short: string;
}

/** The template rendered once per language its recipients read, or why it cannot be (a placeholder without data). */
function renderFor(
  template: DeclaredTemplate,
  people: readonly Recipient[],
  tenantLocale: string,
  data: NonNullable<NotifyInput['data']>,
): { byLocale: Map<string, RenderedText> } | { error: string } {
  const byLocale = new Map<string, RenderedText>();
  for (const locale of new Set([tenantLocale, ...people.map((person) => person.locale ?? tenantLocale)])) {
    try {
      const title = renderMessage(template.title, template.translations, locale, data);
      const body = renderMessage(template.body, template.translations, locale, data);
      const short = template.short ? renderMessage(template.short, template.translations, locale, data) : title;
      byLocale.set(locale, { title, body, short });
    } catch (error) {
      return { error: `template ${template.key} cannot be rendered: ${(error as Error).message}` };
    }
  }
  return { byLocale };
}
