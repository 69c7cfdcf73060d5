import { html, notificationChannels, pageReply, rawBody, RawReply, Reply, tenantPages, type SafeHtml } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import type { ScopedDb } from '../db/scoped-db.js';
import { defineRoute, type CoreRoute, type Principal } from '../http/route.js';
import { kernelRefs } from '../kernel-refs.js';
import type { KernelServices } from '../kernel.js';
import { itemColumns, presentItem, readerLocale, type ItemRow } from '../notifications/inbox.js';
import { announce } from '../notifications/notification-events.js';
import { notificationMessages } from '../notifications/notification-messages.js';
import { categoriesFor, myPreferences, saveChoices } from '../notifications/preferences.routes.js';
import type { Tenant } from '../tenancy/tenant-directory.js';
import { activeUser } from './sign-in.js';

// A customer's notifications on the tenant's pages (ADR 0007): the newest items of their inbox with "mark all as
// read", and which channels they hear each customer category on. Server-rendered, English and Arabic, like the
// other account pages; signed in by the page session (state-changing posts must come from the same site).

const TenantParams = Type.Object({ tenant: Type.String({ minLength: 1, maxLength: 100 }) });
const form = { types: ['application/x-www-form-urlencoded' as const], limitBytes: 16_384 };
const pageAccess = { public: true as const, tenantParam: 'tenant', root: true, rootNotFound: tenantPages.notFound! };
const deps = { database: kernelRefs.database, plugins: kernelRefs.plugins };
/** Items the page lists. */
const shown = 50;

const path = (tenant: Tenant, rest: string) => `/c/${encodeURIComponent(tenant.slug)}/account${rest}`;

/** The signed-in person, or a 303 to the sign-in page that comes back to `here`. */
async function signedIn(services: Pick<KernelServices, 'database'>, principal: Principal | undefined, tenant: Tenant, here: string) {
  const user = principal?.kind === 'user' ? await activeUser(services, principal.userId) : undefined;
  if (user) return { userId: user.id };
  return Reply.redirect(`${path(tenant, '/sign-in')}?next=${encodeURIComponent(path(tenant, here))}`, 303, { 'cache-control': 'no-store' });
}

function page(tenant: Tenant, locale: string, title: string, body: SafeHtml): RawReply {
  return pageReply({ locale, brand: tenant.name, title, body });
}

export const notificationsPageRoute = defineRoute({
  method: 'GET',
  path: '/c/:tenant/account/notifications',
  summary: 'Page: your newest notifications here, with "mark all as read" (303 to the sign-in page when nobody is signed in)',
  tag: 'account',
  ...pageAccess,
  schema: { params: TenantParams, response: rawBody('text/html', 'Your notifications; 303 to sign in', [200, 303]) },
  deps,
  errors: [],
  async handler({ tenant, principal, deps, db }) {
    const who = await signedIn(deps, principal, tenant, '/notifications');
    if (who instanceof RawReply) return who;
    const locale = await readerLocale(db, who.userId, tenant.locale);
    const t = notificationMessages.translator(locale);
    const rows = await db.query<ItemRow>(`select ${itemColumns} from notification_items where user_id = $1 order by created_at desc, id desc limit $2`, [
      who.userId,
      shown,
    ]);
    const items = rows.map((row) => presentItem(row, deps.plugins.plugins, locale));
    const list = items.length
      ? html`<ul class="notifications">
          ${items.map(
            (item) =>
              html`<li class="${item.read_at ? 'read' : 'unread'}">
                <strong>${item.url?.startsWith('/c/') ? html`<a href="${item.url}">${item.title}</a>` : item.title}</strong>
                ${item.read_at ? html`` : html`<span class="badge">${t('unread')}</span>`}
                <p>${item.body}</p>
                <small>${item.category_label} · <time datetime="${item.created_at}">${new Date(item.created_at).toLocaleString(locale)}</time></small>
              </li>`,
          )}
        </ul>`
      : html`<p>${t('inboxEmpty')}</p>`;
    return page(
      tenant,
      locale,
      t('inboxTitle'),
      html`<h1>${t('inboxTitle')}</h1>
        ${list}
        ${
          items.some((item) => !item.read_at)
            ? html`<form method="post" action="${path(tenant, '/notifications/read-all')}"><button type="submit">${t('markAllRead')}</button></form>`
            : html``
        }
        <p><a href="${path(tenant, '/notification-preferences')}">${t('preferencesTitle')}</a> · <a href="${path(tenant, '')}">${t('backToAccount')}</a></p>`,
    );
  },
});

export const readAllPageRoute = defineRoute({
  method: 'POST',
  path: '/c/:tenant/account/notifications/read-all',
  summary: 'Page: mark all your notifications here read; 303 back to the list',
  tag: 'account',
  ...pageAccess,
  body: form,
  schema: { params: TenantParams, body: Type.Object({}), response: rawBody('text/html', '303 to the list (or to sign in)', [303]) },
  deps,
  errors: [],
  async handler({ tenant, principal, deps, db }) {
    const who = await signedIn(deps, principal, tenant, '/notifications');
    if (who instanceof RawReply) return who;
    const rows = await db.query('update notification_items set read_at = now(), updated_at = now() where user_id = $1 and read_at is null returning id', [
      who.userId,
    ]);
    if (rows.length > 0) await announce(db, [{ kind: 'unread', tenantId: tenant.id, userId: who.userId }]);
    return Reply.redirect(path(tenant, '/notifications'), 303, { 'cache-control': 'no-store' });
  },
});

/** The preferences form: one row per category, a checkbox per channel (required ones shown on and fixed). */
async function preferencesPage(services: Pick<KernelServices, 'plugins' | 'database'>, db: ScopedDb, tenant: Tenant, userId: string, saved: boolean) {
  const locale = await readerLocale(db, userId, tenant.locale);
  const t = notificationMessages.translator(locale);
  const { categories } = await myPreferences(services, db, tenant, userId);
  const channelLabel = { inapp: t('inboxTitle'), email: t('channelEmail'), sms: t('channelSms'), whatsapp: t('channelWhatsapp') } as const;
  const rows = categories.map(
    (category) =>
      html`<tr>
        <th scope="row">${category.label}${category.description ? html`<br /><small>${category.description}</small>` : html``}</th>
        ${notificationChannels.map((channel) => {
          const state = category.channels[channel];
          return html`<td>
            <label
              ><input
                type="checkbox"
                name="${category.category}:${channel}"
                ${state.enabled ? html`checked` : html``}
                ${state.locked ? html`disabled` : html``}
              />
              ${channelLabel[channel]}${state.locked ? html` (${t('alwaysOn')})` : html``}</label
            >
          </td>`;
        })}
      </tr>`,
  );
  return page(
    tenant,
    locale,
    t('preferencesTitle'),
    html`<h1>${t('preferencesTitle')}</h1>
      ${saved ? html`<p class="notice" role="status">${t('saved')}</p>` : html``}
      <form method="post" action="${path(tenant, '/notification-preferences')}">
        <table>
          <thead>
            <tr>
              <th scope="col">${t('category')}</th>
              ${notificationChannels.map((channel) => html`<th scope="col">${channelLabel[channel]}</th>`)}
            </tr>
          </thead>
          <tbody>
            ${rows}
          </tbody>
        </table>
        <button type="submit">${t('save')}</button>
      </form>
      <p><a href="${path(tenant, '/notifications')}">${t('inboxTitle')}</a> · <a href="${path(tenant, '')}">${t('backToAccount')}</a></p>`,
  );
}

export const preferencesPageRoute = defineRoute({
  method: 'GET',
  path: '/c/:tenant/account/notification-preferences',
  summary: 'Page: which channels you hear each kind of notification on here (303 to the sign-in page when nobody is signed in)',
  tag: 'account',
  ...pageAccess,
  schema: {
    params: TenantParams,
    query: Type.Object({ saved: Type.Optional(Type.Literal('1')) }),
    response: rawBody('text/html', 'The preferences form; 303 to sign in', [200, 303]),
  },
  deps,
  errors: [],
  async handler({ tenant, principal, deps, db, query }) {
    const who = await signedIn(deps, principal, tenant, '/notification-preferences');
    if (who instanceof RawReply) return who;
    return preferencesPage(deps, db, tenant, who.userId, query.saved === '1');
  },
});

export const savePreferencesPageRoute = defineRoute({
  method: 'POST',
  path: '/c/:tenant/account/notification-preferences',
  summary: 'Page: save your channels (a box left unticked turns that channel off); 303 back to the form',
  tag: 'account',
  ...pageAccess,
  body: form,
  schema: {
    params: TenantParams,
    body: Type.Record(Type.String({ maxLength: 200 }), Type.String({ maxLength: 10 }), { maxProperties: 400 }),
    response: rawBody('text/html', '303 back to the form (or to sign in)', [303]),
  },
  deps,
  errors: [],
  async handler({ tenant, principal, deps, db, body }) {
    const who = await signedIn(deps, principal, tenant, '/notification-preferences');
    if (who instanceof RawReply) return who;
    const account = await db.one<{ kind: 'staff' | 'customer' }>('select kind from tenant_accounts where user_id = $1', [who.userId]);
    const offered = await categoriesFor(deps, tenant.id, account?.kind ?? 'customer');
    const categories = offered.map((category) => ({
      category: category.key,
      channels: Object.fromEntries(
        notificationChannels
          .filter((channel) => !(category.required && (channel === 'inapp' || channel === 'email')))
          .map((channel) => [channel, body[`${category.key}:${channel}`] !== undefined]),
      ),
    }));
    await saveChoices(db, 'notification_preferences', who.userId, offered, { categories });
    return Reply.redirect(`${path(tenant, '/notification-preferences')}?saved=1`, 303, { 'cache-control': 'no-store' });
  },
});

/** The customer's notification pages at `/c/:tenant/account/notifications` and `/notification-preferences`. */
export const accountNotificationPageRoutes: CoreRoute[] = [notificationsPageRoute, readAllPageRoute, preferencesPageRoute, savePreferencesPageRoute];
