import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { ApiError, get } from './api';

export interface Membership {
  tenant: { id: string; slug: string; name: string; status: string };
  roles: string[];
  /** `customer`: a buyer or learner of the tenant, who uses its pages, not the console. */
  kind: 'staff' | 'customer';
}

export interface Me {
  id: string;
  email: string;
  name: string;
  is_super_admin: boolean;
  totp_enabled: boolean;
  /** The address is verified; until then routes that mail on a tenant's behalf answer `403 email_unverified`. */
  email_verified: boolean;
  /** The user's chosen console language (BCP 47, e.g. `ar`), or null to follow the tenant and the browser. */
  locale: string | null;
  memberships: Membership[];
}

export interface NavigationEntry {
  label: string;
  icon?: string;
  path: string;
  permission?: string;
}

export interface PluginPermission {
  name: string;
  description: string;
  grant_to: string[];
}

/** A plugin as the marketplace lists it. */
export interface MarketplaceEntry {
  name: string;
  title: string;
  description: string;
  version: string;
  category: string;
  icon?: string;
  author?: string;
  permissions: PluginPermission[];
  requires: { core: string; plugins: Record<string, string>; optional_plugins: Record<string, string> };
  navigation: NavigationEntry[];
  web: string | null;
  /** The plugin's own screens (custom elements), and the routes whose pages link to them. */
  screens: PluginScreen[];
  /** A permission of the plugin whose holders may change its settings, besides core.plugins.manage. */
  settings_permission: string | null;
  /** Other plugins' data it reads or writes through their services. */
  uses: { plugin: string; title: string; service: string; access: 'read' | 'write'; what: string; optional: boolean }[];
  /** Its tables whose records belong to organisation units (scoped roles then see only their units' records). */
  unit_tables: string[];
  enabled: boolean;
  /** Whether it keeps rows or files of this tenant (what a purge would delete). */
  has_data: boolean;
  /** What the tenant's plan says of it (absent on a host that bills no one): included, sold as an add-on, or in a plan to upgrade to. */
  entitlement?: PluginAccess;
}

/** A plugin under the tenant's plan: included, or sold as an add-on at these prices, or included in `upgrade`. */
export interface PluginAccess {
  included: boolean;
  addon: { currency: string; interval: 'month' | 'year'; amount: number }[] | null;
  upgrade: { key: string; name: string } | null;
}

export interface PluginScreen {
  element: string;
  label: string;
  on: string | null;
  primary: boolean;
  icon: string | null;
  permission: string | null;
}

/** What the signed-in user may see and do in the tenant on screen. */
export interface TenantSession {
  slug: string;
  name: string;
  roles: string[];
  /** Permissions held in the whole tenant. */
  permissions: string[];
  /** Permissions held through roles in organisation units: each covers the unit and the units below it. */
  unitPermissions: UnitPermissions[];
  plugins: MarketplaceEntry[];
  /** The tenant's default currency (ISO 4217, e.g. `EUR`): money without a currency of its own is in it. */
  currency: string;
  /** The tenant's IANA time zone (e.g. `Africa/Cairo`): instants are shown in it. */
  timeZone: string;
  /** The tenant's BCP 47 locale (e.g. `ar-EG`): the console's language when the user has chosen none. */
  locale: string;
  /** `read_only` or `suspended` while an invoice is unpaid past its grace (dunning); `ok` otherwise. */
  billingStatus: 'ok' | 'read_only' | 'suspended';
  /**
   * Whether the user may do `permission` somewhere: held in the whole tenant or in at least one unit (the API
   * then limits what they see and change to their units).
   */
  can(permission: string | undefined): boolean;
  /** Loads permissions and plugins again (after enabling a plugin or changing roles). */
  reload(): Promise<void>;
}

export interface AppSession {
  me: Me;
  reloadMe(): Promise<void>;
  tenant?: TenantSession | undefined;
}

export const SessionContext = createContext<AppSession | undefined>(undefined);

/** The signed-in session; only inside the signed-in shell. */
export function useSession(): AppSession {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside the signed-in shell');
  return session;
}

/** The current tenant's session; only on tenant pages. */
export function useTenant(): TenantSession {
  const tenant = useSession().tenant;
  if (!tenant) throw new Error('useTenant outside a tenant page');
  return tenant;
}

/** Whether granted permissions (with `*`, `crm.*`, `crm.contacts.*` wildcards) include `permission`. */
export function permits(granted: readonly string[], permission: string): boolean {
  return granted.some((grant) => grant === '*' || grant === permission || (grant.endsWith('.*') && permission.startsWith(grant.slice(0, -1))));
}

/** Permissions held in one organisation unit, as `GET /me/permissions` lists them under `units`. */
export interface UnitPermissions {
  unit_id: string;
  permissions: string[];
}

/** Whether `permission` is held in the whole tenant or in any unit: what the API admits to a route. */
export function permitsAnywhere(state: Pick<TenantSession, 'permissions' | 'unitPermissions'>, permission: string): boolean {
  return permits(state.permissions, permission) || state.unitPermissions.some((unit) => permits(unit.permissions, permission));
}

/** The tenant's regional settings as `GET /tenant` answers them. */
interface TenantRegion {
  time_zone: string;
  locale: string;
  currency: string;
  billing_status?: TenantSession['billingStatus'];
}

/** What a tenant page shows money, dates and times in when the tenant cannot be read (no `core.tenant.view`). */
const defaultRegion: TenantRegion = { time_zone: 'UTC', locale: 'en', currency: 'USD' };

type TenantState = Pick<TenantSession, 'roles' | 'permissions' | 'unitPermissions' | 'plugins' | 'currency' | 'timeZone' | 'locale' | 'billingStatus'>;

/** A tenant suspended by dunning refuses all but billing: what it refused is shown as nothing, not as an error. */
const unlessSuspended = <T>(request: Promise<T>, instead: T, suspended: { seen: boolean }): Promise<T> =>
  request.catch((error: unknown) => {
    if (!(error instanceof ApiError) || error.code !== 'billing_suspended') throw error;
    suspended.seen = true;
    return instead;
  });

/** Loads the tenant's permissions (for the caller), its plugins, its currency, time zone and locale, and its billing status. */
export async function loadTenantState(slug: string): Promise<TenantState> {
  const suspended = { seen: false };
  // The caller's permissions and the tenant are answered even while dunning suspends it (`billingExempt`), so the
  // console can lead to the billing page; the marketplace is not.
  const mine = await get<{ roles: string[]; permissions: string[]; units?: UnitPermissions[] }>('/me/permissions', { tenant: slug });
  const held = { permissions: mine.permissions, unitPermissions: mine.units ?? [] };
  const [plugins, region] = await Promise.all([
    permitsAnywhere(held, 'core.plugins.view') ? unlessSuspended(get<MarketplaceEntry[]>('/marketplace', { tenant: slug }), [], suspended) : [],
    permitsAnywhere(held, 'core.tenant.view') ? unlessSuspended(get<TenantRegion>('/tenant', { tenant: slug }), defaultRegion, suspended) : defaultRegion,
  ]);
  let billingStatus = suspended.seen ? 'suspended' : region.billing_status;
  // The tenant's record not readable: its billing overview says it, for those who may see billing.
  if (!billingStatus && permitsAnywhere(held, 'core.billing.view'))
    billingStatus = await get<{ billing_status: TenantSession['billingStatus'] }>('/billing', { tenant: slug }).then(
      (overview) => overview.billing_status,
      () => undefined,
    );
  return {
    roles: mine.roles,
    ...held,
    plugins,
    currency: region.currency,
    timeZone: region.time_zone,
    locale: region.locale,
    billingStatus: billingStatus ?? 'ok',
  };
}

/** App URL of a tenant page. */
export function tenantPath(slug: string, rest = ''): string {
  return `/t/${encodeURIComponent(slug)}${rest}`;
}

/*
 * The session as the shell last rendered it, for what renders outside the shell's tree: the shared elements
 * (`<plinth-fields>` in a plugin's screen) wrap their own render in `SessionContext` with it.
 */
let published: AppSession | undefined;
const sessionListeners = new Set<() => void>();

/** Called by the signed-in shell on each render with the session it provides. */
export function publishSession(session: AppSession | undefined): void {
  if (session === published) return;
  published = session;
  for (const listener of sessionListeners) listener();
}

export function currentSession(): AppSession | undefined {
  return published;
}

export function onSessionChange(listener: () => void): () => void {
  sessionListeners.add(listener);
  return () => sessionListeners.delete(listener);
}
