import { commonErrors, html, NotFoundError, pageReply, rawBody } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import { runInTenant } from '../db/scoped-db.js';
import { defineRoute, type CoreRoute } from '../http/route.js';
import { kernelRefs } from '../kernel-refs.js';
import type { KernelServices } from '../kernel.js';
import { notificationCatalogue } from './declarations.js';
import { readerLocale } from './inbox.js';
import { notificationMessages } from './notification-messages.js';
import { translate } from './render.js';
import { verifyUnsubscribe, type UnsubscribeClaims } from './unsubscribe-token.js';

// One-click unsubscribe (RFC 8058): a notification mail's `List-Unsubscribe` URL. A POST (the mail client's, with
// `List-Unsubscribe=One-Click`, or the page's button) turns that category's email off for that person; a GET only
// shows the button, so a link scanner opening the URL changes nothing.

const TokenParams = Type.Object({ token: Type.String({ minLength: 10, maxLength: 2000 }) });
const deps = { config: kernelRefs.config, database: kernelRefs.database, tenants: kernelRefs.tenants, plugins: kernelRefs.plugins };
type Deps = Pick<KernelServices, 'config' | 'database' | 'tenants' | 'plugins'>;

/** What a token unsubscribes from, once checked: the tenant, the person's language and the categories' labels; undefined when it is not valid (any more). */
async function resolve(services: Deps, token: string) {
  const claims: UnsubscribeClaims | undefined = verifyUnsubscribe(services.config.jwtSecret, token);
  if (!claims) return undefined;
  const tenant = await services.tenants.byId(claims.tenantId);
  if (!tenant) return undefined;
  const catalogue = notificationCatalogue(services.plugins.plugins);
  const categories = claims.category.split(',').flatMap((key) => {
    const category = catalogue.categories.get(key);
    return category && !category.required ? [category] : [];
  });
  const locale = await runInTenant(services.database, tenant.id, async (db) => {
    const member = await db.one('select 1 from tenant_accounts where user_id = $1', [claims.userId]);
    return member ? readerLocale(db, claims.userId, tenant.locale) : undefined;
  });
  if (!locale || categories.length === 0) return undefined;
  const labels = categories.map((category) => translate(category.label, catalogue.translationsOf(category.plugin), locale)).join(', ');
  return { claims, tenant, locale, categories, labels };
}

export const unsubscribePage = defineRoute({
  method: 'GET',
  path: '/notifications/unsubscribe/:token',
  summary: "Page: asks to confirm unsubscribing from a category's email (changes nothing by itself)",
  tag: 'notifications',
  public: true,
  rateLimit: { per: 'ip', max: 60, windowSeconds: 600 },
  deps,
  schema: { params: TokenParams, response: rawBody('text/html', 'A page with an Unsubscribe button') },
  errors: [commonErrors.not_found],
  async handler({ params, deps }) {
    const found = await resolve(deps, params.token);
    if (!found) throw new NotFoundError('This unsubscribe link is not valid');
    const t = notificationMessages.translator(found.locale);
    return pageReply({
      locale: found.locale,
      brand: found.tenant.name,
      title: t('unsubscribeTitle'),
      body: html`<h1>${t('unsubscribeTitle')}</h1>
        <p>${t('unsubscribeAsk', { category: found.labels, tenant: found.tenant.name })}</p>
        <form method="post" action="/api/v1/notifications/unsubscribe/${params.token}">
          <input type="hidden" name="List-Unsubscribe" value="One-Click" />
          <button type="submit">${t('unsubscribeButton')}</button>
        </form>`,
    });
  },
});

export const unsubscribeOneClick = defineRoute({
  method: 'POST',
  path: '/notifications/unsubscribe/:token',
  summary: "One-click unsubscribe (RFC 8058): turns the category's email off for the person the link was sent to",
  tag: 'notifications',
  public: true,
  rateLimit: { per: 'ip', max: 60, windowSeconds: 600 },
  body: { types: ['application/x-www-form-urlencoded'], limitBytes: 1024 },
  deps,
  schema: {
    params: TokenParams,
    body: Type.Object({ 'List-Unsubscribe': Type.Optional(Type.String({ maxLength: 100 })) }),
    response: rawBody('text/html', 'A page saying it is done'),
  },
  errors: [commonErrors.not_found],
  async handler({ params, deps }) {
    const found = await resolve(deps, params.token);
    if (!found) throw new NotFoundError('This unsubscribe link is not valid');
    await runInTenant(deps.database, found.tenant.id, async (db) => {
      for (const category of found.categories)
        await db.query(
          `insert into notification_preferences (user_id, category, channels) values ($1, $2, '{"email": false}')
            on conflict (tenant_id, user_id, category) do update set channels = notification_preferences.channels || '{"email": false}', updated_at = now()`,
          [found.claims.userId, category.key],
        );
    });
    const t = notificationMessages.translator(found.locale);
    return pageReply({
      locale: found.locale,
      brand: found.tenant.name,
      title: t('unsubscribedTitle'),
      body: html`<h1>${t('unsubscribedTitle')}</h1>
        <p>${t('unsubscribedBody', { category: found.labels, tenant: found.tenant.name })}</p>`,
    });
  },
});

/** The unsubscribe page and its one-click POST. */
export const unsubscribeRoutes: CoreRoute[] = [unsubscribePage, unsubscribeOneClick];
