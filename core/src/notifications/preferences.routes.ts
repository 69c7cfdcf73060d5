import { commonErrors, notificationChannels, PageQuery, paginate, pageWindow, Reply, toJson, ValidationError } from '@plinth/sdk';
import { Type, type Static } from '@sinclair/typebox';
import { runAsSystem, type ScopedDb } from '../db/scoped-db.js';
import { Exact, Nullable, Uuid } from '../http/response-schemas.js';
import { defineRoute, type CoreRoute } from '../http/route.js';
import { kernelRefs } from '../kernel-refs.js';
import type { KernelServices } from '../kernel.js';
import { corePermissions } from '../rbac/permissions.js';
import { notificationCatalogue, type DeclaredCategory } from './declarations.js';
import { readerLocale } from './inbox.js';
import { inboxOwner } from './notifications.routes.js';
import { choicesOf, effectiveChoice, tenantDefaults, type ChannelChoices } from './preferences.js';
import { translate } from './render.js';

const Digest = Type.Union([Type.Literal('instant'), Type.Literal('hourly'), Type.Literal('daily')]);
const ChannelState = Exact({ enabled: Type.Boolean(), locked: Type.Boolean({ description: 'A required category keeps it on' }) });
const CategoryView = Exact({
  category: Type.String(),
  plugin: Type.String(),
  label: Type.String(),
  description: Nullable(Type.String()),
  required: Type.Boolean(),
  digest: Digest,
  channels: Exact({ inapp: ChannelState, email: ChannelState, sms: ChannelState, whatsapp: ChannelState }),
});
const ChannelsInput = Type.Object(
  { inapp: Type.Optional(Type.Boolean()), email: Type.Optional(Type.Boolean()), sms: Type.Optional(Type.Boolean()), whatsapp: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export const ChoicesBody = Type.Object(
  {
    categories: Type.Array(
      Type.Object(
        { category: Type.String({ maxLength: 200 }), digest: Type.Optional(Digest), channels: Type.Optional(ChannelsInput) },
        { additionalProperties: false },
      ),
      { maxItems: 200 },
    ),
  },
  { additionalProperties: false },
);
const Phone = Exact({ number: Nullable(Type.String()), verified: Type.Boolean() });

/** The categories of core and of the plugins the tenant enabled, for people of `kind` (all of them when absent). */
export async function categoriesFor(services: Pick<KernelServices, 'plugins'>, tenantId: string, kind?: 'staff' | 'customer'): Promise<DeclaredCategory[]> {
  const state = await services.plugins.tenantPlugins.state(tenantId);
  const catalogue = notificationCatalogue(services.plugins.plugins);
  return [...catalogue.categories.values()].filter(
    (category) => (category.plugin === 'core' || category.plugin in state.settings) && (!kind || category.audience === 'both' || category.audience === kind),
  );
}

/** Categories as the API shows them, in `locale`, with the choices that apply. */
function present(
  services: Pick<KernelServices, 'plugins'>,
  categories: readonly DeclaredCategory[],
  locale: string,
  choice: (category: DeclaredCategory) => ReturnType<typeof effectiveChoice>,
) {
  const catalogue = notificationCatalogue(services.plugins.plugins);
  return categories.map((category) => {
    const translations = catalogue.translationsOf(category.plugin);
    const effective = choice(category);
    return {
      category: category.key,
      plugin: category.plugin,
      label: translate(category.label, translations, locale),
      description: category.description ? translate(category.description, translations, locale) : null,
      required: category.required === true,
      digest: effective.digest,
      channels: effective.channels,
    };
  });
}

/** Checks choices against the categories offered (422 naming what is wrong), and stores them, merged over those stored. */
export async function saveChoices(
  db: ScopedDb,
  table: 'notification_preferences' | 'notification_defaults',
  userId: string | null,
  offered: readonly DeclaredCategory[],
  body: Static<typeof ChoicesBody>,
) {
  const byKey = new Map(offered.map((category) => [category.key, category]));
  const errors: Record<string, string[]> = {};
  body.categories.forEach((choice, index) => {
    const category = byKey.get(choice.category);
    if (!category) errors[`categories.${index}.category`] = [`${choice.category} is not a category offered here`];
    else if (category.required)
      for (const channel of ['inapp', 'email'] as const)
        if (choice.channels?.[channel] === false) errors[`categories.${index}.channels.${channel}`] = ['cannot be turned off: this category is required'];
  });
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  for (const choice of body.categories) {
    const channels: ChannelChoices = {};
    for (const channel of notificationChannels) if (choice.channels?.[channel] !== undefined) channels[channel] = choice.channels[channel];
    const owner = userId ? ['user_id, ', '$4, ', '(tenant_id, user_id, category)'] : ['', '', '(tenant_id, category)'];
    await db.query(
      `insert into ${table} (${owner[0]}category, channels, digest) values (${owner[1]}$1, $2, $3)
        on conflict ${owner[2]} do update set channels = ${table}.channels || excluded.channels,
          digest = coalesce(excluded.digest, ${table}.digest), updated_at = now()`,
      [choice.category, JSON.stringify(channels), choice.digest ?? null, ...(userId ? [userId] : [])],
    );
  }
}

/** The caller's phone number, from the host's user record. */
async function phoneOf(services: Pick<KernelServices, 'database'>, userId: string) {
  const row = await runAsSystem(services.database, (db) =>
    db.one<{ phone: string | null; verified: boolean }>('select phone, phone_verified_at is not null as verified from users where id = $1', [userId]),
  );
  return { number: row?.phone ?? null, verified: row?.verified === true && row.phone !== null };
}

const MyPreferences = Exact({ categories: Type.Array(CategoryView), phone: Phone });
const meDeps = { plugins: kernelRefs.plugins, database: kernelRefs.database };

/** What `GET /me/notification-preferences` answers: the categories fitting the person (staff or customer). */
export async function myPreferences(
  services: Pick<KernelServices, 'plugins' | 'database'>,
  db: ScopedDb,
  tenant: { id: string; locale: string },
  userId: string,
) {
  const account = await db.one<{ kind: 'staff' | 'customer' }>('select kind from tenant_accounts where user_id = $1', [userId]);
  const categories = await categoriesFor(services, tenant.id, account?.kind ?? 'staff');
  const defaults = await tenantDefaults(
    db,
    categories.map((category) => category.key),
  );
  const mine = await choicesOf(db, userId);
  const locale = await readerLocale(db, userId, tenant.locale);
  return {
    categories: present(services, categories, locale, (category) => effectiveChoice(category, defaults.get(category.key), mine.get(category.key))),
    phone: await phoneOf(services, userId),
  };
}

export const getMyPreferences = defineRoute({
  method: 'GET',
  path: '/me/notification-preferences',
  summary: 'How you hear of each kind of notification in this tenant (channels, digest), and your phone number',
  tag: 'notifications',
  member: 'any',
  deps: meDeps,
  schema: { response: MyPreferences },
  errors: [commonErrors.forbidden],
  handler: ({ db, principal, tenant, deps }) => myPreferences(deps, db, tenant, inboxOwner(principal)),
});

export const putMyPreferences = defineRoute({
  method: 'PUT',
  path: '/me/notification-preferences',
  summary: 'Change how you hear of some categories (channels left out keep their setting); required categories keep in-app and email',
  tag: 'notifications',
  member: 'any',
  deps: meDeps,
  schema: { body: ChoicesBody, response: MyPreferences },
  errors: [commonErrors.forbidden],
  async handler({ db, principal, tenant, deps, body }) {
    const userId = inboxOwner(principal);
    const account = await db.one<{ kind: 'staff' | 'customer' }>('select kind from tenant_accounts where user_id = $1', [userId]);
    await saveChoices(db, 'notification_preferences', userId, await categoriesFor(deps, tenant.id, account?.kind ?? 'staff'), body);
    return myPreferences(deps, db, tenant, userId);
  },
});

const TenantSettings = Exact({ categories: Type.Array(CategoryView) });
const manage = corePermissions['notifications.manage'];

async function tenantSettings(services: Pick<KernelServices, 'plugins'>, db: ScopedDb, tenant: { id: string; locale: string }) {
  const categories = await categoriesFor(services, tenant.id);
  const defaults = await tenantDefaults(
    db,
    categories.map((category) => category.key),
  );
  return { categories: present(services, categories, tenant.locale, (category) => effectiveChoice(category, defaults.get(category.key), undefined)) };
}

export const getTenantSettings = defineRoute({
  method: 'GET',
  path: '/notification-settings',
  summary: "The tenant's default channels and digest per category, until each person changes them",
  tag: 'notifications',
  permission: manage,
  deps: { plugins: kernelRefs.plugins },
  schema: { response: TenantSettings },
  errors: [],
  handler: ({ db, tenant, deps }) => tenantSettings(deps, db, tenant),
});

export const putTenantSettings = defineRoute({
  method: 'PUT',
  path: '/notification-settings',
  summary: "Change the tenant's defaults for some categories (people's own choices still win)",
  tag: 'notifications',
  permission: manage,
  deps: { plugins: kernelRefs.plugins },
  schema: { body: ChoicesBody, response: TenantSettings },
  errors: [],
  async handler({ db, tenant, deps, body, audit }) {
    await saveChoices(db, 'notification_defaults', null, await categoriesFor(deps, tenant.id), body);
    await audit({ action: 'notifications.defaults.changed', targetType: 'tenant', targetId: tenant.id, data: { categories: body.categories } });
    return tenantSettings(deps, db, tenant);
  },
});

const DeliveryCounts = Exact({
  pending: Type.Integer(),
  sent: Type.Integer(),
  failed: Type.Integer(),
  skipped: Type.Integer(),
  digested: Type.Integer(),
});
const LogEntry = Exact({
  id: Uuid,
  plugin: Type.String(),
  template: Type.String(),
  category: Nullable(Type.String()),
  status: Type.Union([Type.Literal('sent'), Type.Literal('partial'), Type.Literal('failed')]),
  failure: Nullable(Type.String()),
  recipients: Type.Integer(),
  deliveries: DeliveryCounts,
  problems: Type.Array(Exact({ user_id: Uuid, channel: Type.String(), status: Type.String(), error: Nullable(Type.String()) }), {
    description: 'Deliveries that failed or were skipped, and why',
  }),
  created_at: Type.String({ format: 'date-time' }),
});

export const notificationLog = defineRoute({
  method: 'GET',
  path: '/notification-log',
  summary: "The tenant's notifications, newest first: whom they reached, their deliveries, and what failed",
  tag: 'notifications',
  permission: manage,
  schema: {
    query: Type.Object(
      { ...PageQuery.properties, status: Type.Optional(Type.Union([Type.Literal('sent'), Type.Literal('partial'), Type.Literal('failed')])) },
      { additionalProperties: false },
    ),
    response: Type.Array(LogEntry),
  },
  errors: [],
  async handler({ db, query }) {
    const { limit, offset } = pageWindow(query);
    const where = query.status ? 'where n.status = $3' : '';
    const rows = await db.query<Static<typeof LogEntry>>(
      `select n.id, n.plugin, n.template, n.category, n.status, n.failure, n.recipients, n.created_at,
          (select json_build_object(
             'pending', count(*) filter (where d.status = 'pending'), 'sent', count(*) filter (where d.status = 'sent'),
             'failed', count(*) filter (where d.status = 'failed'), 'skipped', count(*) filter (where d.status = 'skipped'),
             'digested', count(*) filter (where d.status = 'digested'))
             from notification_deliveries d where d.notification_id = n.id) as deliveries,
          coalesce((select json_agg(json_build_object('user_id', d.user_id, 'channel', d.channel, 'status', d.status, 'error', d.last_error) order by d.created_at)
             from notification_deliveries d where d.notification_id = n.id and d.status in ('failed', 'skipped')), '[]') as problems
        from notifications n ${where} order by n.created_at desc, n.id desc limit $1 offset $2`,
      query.status ? [limit, offset, query.status] : [limit, offset],
    );
    const total =
      (await db.one<{ total: number }>(`select count(*)::int as total from notifications n ${where.replace('$3', '$1')}`, query.status ? [query.status] : []))
        ?.total ?? 0;
    return Reply.list(toJson(rows), paginate(query, total));
  },
});

/** Preferences, tenant defaults and the notification log. */
export const preferenceRoutes: CoreRoute[] = [getMyPreferences, putMyPreferences, getTenantSettings, putTenantSettings, notificationLog];
