import type { Static, TObject, TSchema } from '@sinclair/typebox';
import type { EventContext, JobContext, TenantInfo } from './context.js';
import type { DeliveredEvent, EventName } from './events.js';
import type { ReadinessChecks } from './health.js';
import type { HookName, HookSpec, HookTapFn } from './hooks.js';
import type { JobName, PlinthJobs } from './jobs.js';
import type { LimitDefinitions } from './limits.js';
import type { PluginMigration } from './migrations.js';
import type { PluginNotificationDeclarations } from './notifications.js';
import type { ReportDefinition } from './reports.js';
import type { PermissionRef, PermissionSet } from './permissions.js';
import type { AnyRoute, GlobalDb, RouteDefinition, RouteSchemas } from './routes.js';
import type { DepRefs, JobPriority, ResolvedDeps, ServiceRef } from './services.js';

/** A job a plugin runs; always for one tenant. */
export interface JobDefinition<K extends JobName, Deps, Settings> {
  name: K;
  /** Runs of this job at once per process (default 5); the host may lower or raise it with `PLINTH_JOB_CONCURRENCY`. */
  concurrency?: number;
  /** The priority of its runs when `enqueue` names none (default `normal`): due runs of higher priority go first. */
  priority?: JobPriority;
  /** Retries after the first failure, with exponential backoff (default 5); then the run is `dead` until a host administrator retries or discards it. */
  maxRetries?: number;
  /** How long a run's lock outlives its worker's last heartbeat (a heartbeat keeps a running job's lock); then another worker takes it over. Default: the host's `PLINTH_JOBS_LOCK_MS` (15 s). */
  lockLifetimeMs?: number;
  run(input: { payload: PlinthJobs[K]; deps: ResolvedDeps<Deps>; ctx: JobContext<Settings> }): Promise<void>;
}

/** A handler of an event; runs once per event (redeliveries skip handlers already recorded as done). */
export interface EventHandlerDefinition<K extends EventName, Deps, Settings> {
  /** The event handled, or `'*'` for every event of the tenant (see `onAny`). */
  event: K | '*';
  /** Unique within the plugin: the handler's identity for idempotency. Defaults to the event name. */
  id?: string;
  handle(input: { event: DeliveredEvent<K>; deps: ResolvedDeps<Deps>; ctx: EventContext<Settings> }): Promise<void>;
}

/** The tapping plugin's scope, handed to its tap as the last argument. */
export interface TapScope<Deps, Settings> {
  deps: ResolvedDeps<Deps>;
  ctx: EventContext<Settings>;
}

/** A tap on another plugin's (or this plugin's) hook. */
export interface TapDefinition<K extends HookName> {
  hook: K;
  fn: HookTapFn<K, TapScope<unknown, unknown>>;
}

/** A service this plugin provides to others, built per unit of work from this plugin's deps. */
export interface ServiceDefinition<T, Deps, Settings> {
  ref: ServiceRef<T>;
  /** `tenant`: the unit's tenant (its slug builds page links, its locale and currency format). */
  create(input: { deps: ResolvedDeps<Deps>; settings: Settings; tenantId: string; tenant: TenantInfo }): T;
}

/** The typed builders handed to a definition's `routes`, `jobs`, `events`, `taps` and `services`. */
export interface PluginBuilders<Deps, Settings> {
  route<S extends RouteSchemas>(route: RouteDefinition<S, Deps, Settings>): AnyRoute;
  job<K extends JobName>(job: JobDefinition<K, Deps, Settings>): JobDefinition<JobName, unknown, unknown>;
  on<K extends EventName>(
    event: K,
    handle: EventHandlerDefinition<K, Deps, Settings>['handle'],
    options?: { id?: string },
  ): EventHandlerDefinition<EventName, unknown, unknown>;
  /**
   * Handles every event of the tenant, core's and every plugin's (for forwarding: outgoing webhooks,
   * notification rules). Runs once per event like any handler; keep it cheap for events it ignores.
   */
  onAny(handle: EventHandlerDefinition<EventName, Deps, Settings>['handle'], options?: { id?: string }): EventHandlerDefinition<EventName, unknown, unknown>;
  tap<K extends HookName>(hook: K, fn: HookTapFn<K, TapScope<Deps, Settings>>): TapDefinition<HookName>;
  provide<T>(ref: ServiceRef<T>, create: ServiceDefinition<T, Deps, Settings>['create']): ServiceDefinition<unknown, unknown, unknown>;
  /** Declares a report (see {@link ReportDefinition}). */
  report<P extends TObject>(report: ReportDefinition<P, Deps, Settings>): ReportDefinition<TObject, unknown, unknown>;
}

/** A menu entry the web console shows for a plugin, to members holding `permission` (when given). */
export interface NavigationEntry {
  label: string;
  /**
   * The name of one of the console's SVG icons (`home`, `users`, `store`, `package`, `book`, `link`, `mail`, `chart`,
   * `card`, `bell`, `settings`…; see the console's `icons.tsx`); an unknown name shows a generic icon.
   */
  icon?: string;
  /**
   * What the entry opens: a route path of the plugin (`/contacts`), whose list, detail and forms the console
   * generates from the OpenAPI document, or `web:<element-name>` for a custom element the plugin ships in `web`.
   */
  path: string;
  permission?: PermissionRef;
}

/**
 * Static files a plugin ships (built front-end code, e.g. custom elements for richer pages), served by the
 * kernel at `/web/<plugin>/…`. A host-level plugin with `root: true` (the console) is served at the site root
 * instead, with `index.html` answering paths without a file (a single-page app); one plugin at most.
 * Files under `assets/` are cached for a year (their names must carry a content hash), the rest revalidated.
 */
export interface WebAssets {
  /** Absolute path of the directory (e.g. `fileURLToPath(new URL('../web-dist', import.meta.url))`). */
  directory: string;
  root?: boolean;
  /** Screens the plugin's custom elements provide, linked from the console's pages (docs/plugins/console-screens.md). */
  screens?: readonly WebScreen[];
}

/**
 * A console screen made by one of the plugin's custom elements: `<element>.js` in the web directory defines
 * `<element>`, which the console mounts with a `plinth` property (`ConsoleContext` of `@plinth/sdk/web`) at
 * `/t/<tenant>/w/<plugin>/<element>?<params>`.
 */
export interface WebScreen {
  /** The custom element's name (lower case, with a hyphen; by convention prefixed with the plugin's name). */
  element: string;
  /** The link's label, in English (translated with the plugin's `translations`). */
  label: string;
  /**
   * A route path of the plugin whose generated page links to the screen: a record (`/sites/:id`: its detail
   * page gets a button, and the screen gets the route's parameters as `params`: `{ id }`) or a list
   * (`/products`: its page gets a button). Without it the screen is reached from `navigation` (`web:<element>`)
   * or from the plugin's other screens.
   */
  on?: string;
  /**
   * The screen replaces the generated page of `on`'s records: list rows and "after create" open it rather than
   * the generic detail page (a site opens in its editor). One primary screen per route.
   */
  primary?: boolean;
  icon?: string;
  /** Shown to members holding it (the element itself still gets 403s from the API for what they lack). */
  permission?: PermissionRef;
}

/**
 * Serves a plugin's root routes on host names of their own: a tenant's custom domain (verified in core) or
 * names under a domain the host set aside for the plugin (`<slug>.links.example.com`). The kernel asks for
 * every request whose host is not the platform's own (its base domain, public URL, `localhost`, an IP),
 * outside `/api`, `/health` and `/metrics`; the answer is a path among the plugin's root routes, routed as
 * if it had been requested, or `undefined` when the host is not the plugin's. Answer from memory when you can.
 */
export interface HostRouting {
  route(input: {
    /** Lower-case, without the port. */
    host: string;
    /** The request's path (`/`, `/l/123`). */
    path: string;
    /**
     * The tenant that verified `host` as a custom domain in core, if any: serve such a host only with that
     * tenant's content.
     */
    domainTenantId: string | undefined;
    db: GlobalDb;
  }): Promise<string | undefined>;
}

/**
 * A plugin's translations: language tag (BCP 47, `ar`, `pt-BR`) → English text as the console shows it →
 * the text in that language (gettext style).
 *
 * @example
 * ```ts
 * translations: { ar: { Products: 'المنتجات', Product: 'منتج', Price: 'السعر', 'In stock': 'متوفر' } },
 * ```
 */
export type PluginTranslations = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** What a plugin needs of the host and of other plugins. */
export interface PluginRequirements {
  /** semver range of @plinth/core. */
  core: string;
  /** Plugins that must be installed (and enabled for a tenant first), by name → semver range. */
  plugins?: Record<string, string>;
  /** Plugins used when present (their events are handled, their services are optional deps), by name → semver range. */
  optionalPlugins?: Record<string, string>;
}

/**
 * What a plugin does with another plugin's service, in plain words for the marketplace's consent dialog
 * ("Bio Sites writes CRM contacts: adds people who subscribe on a bio page").
 */
export interface DataUse {
  /** `read`: it only looks the other plugin's data up; `write`: it creates or changes it. */
  access: 'read' | 'write';
  /** What it reads or writes, and why, in a short sentence. */
  what: string;
}

/** The input of {@link definePlugin}. */
export interface PluginDefinition<Deps extends DepRefs, SettingsSchema extends TObject, Perms extends PermissionSet> {
  /** kebab-case, permanent: URL segment, permission, event and job prefix, table prefix. */
  name: string;
  /** semver. */
  version: string;
  title: string;
  description: string;
  category: string;
  /** The name of a console icon for the menu and the marketplace (see {@link NavigationEntry.icon}). */
  icon?: string;
  author?: string;
  requires: PluginRequirements;
  /** The services the plugin's handlers receive, by name. */
  deps?: Deps;
  /**
   * Plain words for the other plugins' services in `deps`, by service id (`'crm.contacts'`): the marketplace
   * lists every such service before a tenant enables the plugin, as `write` access unless described here.
   *
   * @example
   * ```ts
   * uses: { 'crm.contacts': { access: 'write', what: 'Adds people who subscribe on a bio page to CRM contacts' } },
   * ```
   */
  uses?: Readonly<Record<string, DataUse>>;
  permissions?: Perms;
  /** JSON Schema of the per-tenant settings (defaults applied, validated on save). */
  settings?: SettingsSchema;
  /**
   * One of the plugin's permissions whose holders may change its settings (`PUT /plugins/<name>/settings`),
   * besides those holding `core.plugins.manage`.
   */
  settingsPermission?: PermissionRef;
  migrations?: readonly PluginMigration[];
  /** Hooks this plugin offers others, by name. */
  hooks?: Record<string, HookSpec>;
  /**
   * `tenant` (default): tenants enable it in the marketplace. `host`: part of the host itself, always on, not
   * listed in the marketplace (the web console); such a plugin has no routes, tables, jobs or handlers of its own.
   */
  scope?: 'tenant' | 'host';
  /** Entries for the web console's menu. */
  navigation?: readonly NavigationEntry[];
  /**
   * The console's text for this plugin in other languages, by language tag, each keyed by the exact English
   * text the console shows (schema titles and descriptions, humanized enum values and property names, collection
   * and singular names, action labels, route summaries, navigation labels, permission descriptions, the title
   * and description). Text without a translation shows in English. See {@link PluginTranslations}.
   */
  translations?: PluginTranslations;
  web?: WebAssets;
  /** Host names the plugin's root routes answer on, besides the platform's own. */
  hosts?: HostRouting;
  routes?(builders: PluginBuilders<Deps, Static<SettingsSchema>>): AnyRoute[];
  jobs?(builders: PluginBuilders<Deps, Static<SettingsSchema>>): JobDefinition<JobName, unknown, unknown>[];
  events?(builders: PluginBuilders<Deps, Static<SettingsSchema>>): EventHandlerDefinition<EventName, unknown, unknown>[];
  taps?(builders: PluginBuilders<Deps, Static<SettingsSchema>>): TapDefinition<HookName>[];
  services?(builders: PluginBuilders<Deps, Static<SettingsSchema>>): ServiceDefinition<unknown, unknown, unknown>[];
  /** Reports members can ask for and schedule (see {@link ReportDefinition}). */
  reports?(builders: PluginBuilders<Deps, Static<SettingsSchema>>): ReportDefinition<TObject, unknown, unknown>[];
  /** The plugin's notification categories and templates, for the `notify` service (see {@link PluginNotificationDeclarations}). */
  notifications?: PluginNotificationDeclarations;
  /** Checks `GET /health/ready` runs in every process, from host-wide services (see {@link ReadinessChecks}). */
  readiness?: ReadinessChecks;
  /**
   * What the plugin counts against the tenant's plan (`crm.contacts`), by key: the host sets a maximum per plan,
   * and the plugin creates under it with `coreServices.limits` (see {@link LimitDefinition}, docs/billing.md).
   *
   * @example
   * ```ts
   * limits: { contacts: { label: 'Contacts', usage: async ({ db }) => countContacts(db) } },
   * ```
   */
  limits?: LimitDefinitions;
}

/** A plugin, as the kernel loads it: the definition's data plus its built routes, jobs, handlers, taps and services. */
export interface Plugin {
  readonly kind: 'plinth-plugin';
  /**
   * The shape of this object, stamped by {@link definePlugin} (authors never write it): a kernel refuses a
   * definition newer than it understands, and reads one without it (built before the field existed) as 1.
   */
  readonly formatVersion?: number;
  readonly name: string;
  readonly version: string;
  readonly title: string;
  readonly description: string;
  readonly category: string;
  readonly icon: string | undefined;
  readonly author: string | undefined;
  readonly requires: PluginRequirements;
  readonly deps: DepRefs;
  /** Absent on plugins built before the field existed. */
  readonly uses?: Readonly<Record<string, DataUse>>;
  readonly permissions: PermissionSet;
  readonly settings: TSchema | undefined;
  readonly migrations: readonly PluginMigration[];
  readonly hooks: Record<string, HookSpec>;
  readonly scope: 'tenant' | 'host';
  readonly navigation: readonly NavigationEntry[];
  /** Absent on plugins built before the field existed. */
  readonly translations?: PluginTranslations;
  readonly settingsPermission: string | undefined;
  readonly web: WebAssets | undefined;
  readonly hosts: HostRouting | undefined;
  readonly routes: readonly AnyRoute[];
  readonly jobs: readonly JobDefinition<JobName, unknown, unknown>[];
  readonly eventHandlers: readonly EventHandlerDefinition<EventName, unknown, unknown>[];
  readonly taps: readonly TapDefinition<HookName>[];
  readonly services: readonly ServiceDefinition<unknown, unknown, unknown>[];
  /** Absent on plugins built before the field existed. */
  readonly reports?: readonly ReportDefinition<TObject, unknown, unknown>[];
  /** Absent on plugins built before the field existed. */
  readonly notifications?: PluginNotificationDeclarations;
  /** The plugin's readiness checks, built by the kernel once it has its services; absent when it has none. */
  readonly readiness?: ReadinessChecks;
  /** What the plugin counts against the tenant's plan, by key. Absent on plugins built before the field existed. */
  readonly limits?: LimitDefinitions;
}

/**
 * The version of the {@link Plugin} object's shape that this SDK writes. It goes up only when a kernel that
 * reads an older shape would misread the new one; definitions already published keep loading.
 */
export const pluginFormatVersion = 1;

const builders: PluginBuilders<unknown, unknown> = {
  route: (route) => route as AnyRoute,
  job: (job) => job as JobDefinition<JobName, unknown, unknown>,
  on: (event, handle, options) => ({ event, handle, ...(options?.id ? { id: options.id } : {}) }) as EventHandlerDefinition<EventName, unknown, unknown>,
  onAny: (handle, options) => ({ event: '*', handle, ...(options?.id ? { id: options.id } : {}) }) as EventHandlerDefinition<EventName, unknown, unknown>,
  tap: (hook, fn) => ({ hook, fn }) as TapDefinition<HookName>,
  provide: (ref, create) => ({ ref, create }) as ServiceDefinition<unknown, unknown, unknown>,
  report: (report) => report as unknown as ReportDefinition<TObject, unknown, unknown>,
};

/**
 * Defines a plugin: declarative data (identity, requirements, permissions,
 * settings, migrations) plus typed builders for its routes, jobs, event
 * handlers, hook taps and services. Handlers receive `deps` typed from the
 * refs in `deps`, and `ctx.settings` typed from the settings schema.
 *
 * @example
 * ```ts
 * export default definePlugin({
 *   name: 'hello', version: '1.0.0', title: 'Hello', description: 'Greets', category: 'demo',
 *   requires: { core: '^0.1.0' },
 *   deps: { db: coreServices.db },
 *   permissions: helloPermissions,
 *   routes: ({ route }) => [
 *     route({ method: 'GET', path: '/greeting', summary: 'A greeting', permission: helloPermissions['greetings.view'],
 *       schema: { response: Type.Object({ text: Type.String() }) },
 *       async handler({ ctx }) { return { text: `Hello, ${ctx.tenant.name}` }; } }),
 *   ],
 * });
 * ```
 */
export function definePlugin<
  const Deps extends DepRefs = Record<never, never>,
  SettingsSchema extends TObject = TObject<Record<never, never>>,
  Perms extends PermissionSet = PermissionSet<never>,
>(definition: PluginDefinition<Deps, SettingsSchema, Perms>): Plugin {
  const build = builders as unknown as PluginBuilders<Deps, Static<SettingsSchema>>;
  return {
    kind: 'plinth-plugin',
    formatVersion: pluginFormatVersion,
    name: definition.name,
    version: definition.version,
    title: definition.title,
    description: definition.description,
    category: definition.category,
    icon: definition.icon,
    author: definition.author,
    requires: definition.requires,
    deps: definition.deps ?? {},
    uses: definition.uses ?? {},
    permissions: definition.permissions ?? {},
    settings: definition.settings,
    migrations: definition.migrations ?? [],
    hooks: definition.hooks ?? {},
    scope: definition.scope ?? 'tenant',
    navigation: definition.navigation ?? [],
    translations: definition.translations ?? {},
    settingsPermission: definition.settingsPermission?.name,
    web: definition.web,
    hosts: definition.hosts,
    routes: definition.routes?.(build) ?? [],
    jobs: definition.jobs?.(build) ?? [],
    eventHandlers: definition.events?.(build) ?? [],
    taps: definition.taps?.(build) ?? [],
    services: definition.services?.(build) ?? [],
    reports: definition.reports?.(build) ?? [],
    notifications: definition.notifications ?? {},
    limits: definition.limits ?? {},
    ...(definition.readiness ? { readiness: definition.readiness } : {}),
  };
}
