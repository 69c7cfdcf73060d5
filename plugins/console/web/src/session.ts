import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { get } from './api';

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
  /** A permission of the plugin whose holders may change its settings, besides core.plugins.manage. */
  settings_permission: string | null;
  enabled: boolean;
}

/** What the signed-in user may see and do in the tenant on screen. */
export interface TenantSession {
  slug: string;
  name: string;
  roles: string[];
  permissions: string[];
  plugins: MarketplaceEntry[];
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

/** Loads the tenant's permissions (for the caller) and its plugins. */
export async function loadTenantState(slug: string): Promise<Pick<TenantSession, 'roles' | 'permissions' | 'plugins'>> {
  const mine = await get<{ roles: string[]; permissions: string[] }>('/me/permissions', { tenant: slug });
  const plugins = permits(mine.permissions, 'core.plugins.view') ? await get<MarketplaceEntry[]>('/marketplace', { tenant: slug }) : [];
  return { roles: mine.roles, permissions: mine.permissions, plugins };
}

/** App URL of a tenant page. */
export function tenantPath(slug: string, rest = ''): string {
  return `/t/${encodeURIComponent(slug)}${rest}`;
}
