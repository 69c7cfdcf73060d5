import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { signOut } from './api';
import { openApi, pluginCollections, type OpenApiDocument } from './openapi';
import { navigate, type Location } from './router';
import { tenantPath, useSession, type TenantSession } from './session';

interface NavItem {
  label: string;
  href: string;
  icon?: string | undefined;
}

/** The signed-in frame: header (tenant switcher, account), menu, and the page. */
export function Shell({ location, children }: { location: Location; children: ComponentChildren }) {
  const { me, tenant } = useSession();
  const [menuOpen, setMenuOpen] = useState(false);
  const [apiDocument, setApiDocument] = useState<OpenApiDocument>();
  useEffect(() => {
    openApi().then(setApiDocument, () => undefined);
  }, []);
  useEffect(() => setMenuOpen(false), [location.path]);
  useEffect(() => {
    if (location.key === 0) return; // the first page: focus stays where the browser put it
    // After a move to another page, focus its heading (or the content) so a screen reader announces it
    // and Tab continues from the content, not from the link that was followed.
    const main = document.getElementById('main');
    (main?.querySelector<HTMLElement>('h1') ?? main)?.focus({ preventScroll: true });
  }, [location.path]);

  const sections: { title: string; items: NavItem[] }[] = [];
  if (tenant) {
    sections.push({ title: tenant.name, items: coreItems(tenant) });
    const pluginItems = tenant.plugins.filter((plugin) => plugin.enabled).flatMap((plugin) => pluginNav(tenant, plugin, apiDocument));
    if (pluginItems.length > 0) sections.push({ title: 'Apps', items: pluginItems });
  }
  if (me.is_super_admin)
    sections.push({
      title: 'Host',
      items: [
        { label: 'Tenants', href: '/admin/tenants' },
        { label: 'Installed plugins', href: '/admin/plugins' },
        { label: 'Failed jobs', href: '/admin/jobs' },
        { label: 'Host audit log', href: '/admin/audit-log' },
      ],
    });

  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <button
          type="button"
          class="icon menu-toggle"
          aria-expanded={menuOpen ? 'true' : 'false'}
          aria-controls="sidebar"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          ☰<span class="visually-hidden">Menu</span>
        </button>
        <a class="brand" href="/">
          Plinth
        </a>
        <TenantSwitcher current={tenant?.slug} />
        <div class="spacer" />
        <a href="/account" class="account-link" title={me.email}>
          {me.name}
        </a>
        <button
          type="button"
          class="secondary"
          onClick={async () => {
            await signOut();
            navigate('/login', { replace: true });
          }}
        >
          Sign out
        </button>
      </header>
      <nav id="sidebar" class={`sidebar${menuOpen ? ' open' : ''}`} aria-label="Main">
        {sections.map((section) => (
          <div class="nav-section" key={section.title}>
            <h2>{section.title}</h2>
            <ul>
              {section.items.map((item) => (
                <li key={item.href}>
                  <a href={item.href} aria-current={isCurrent(item.href, location.path, tenant) ? 'page' : undefined}>
                    {item.icon && (
                      <span aria-hidden="true" class="nav-icon">
                        {item.icon}
                      </span>
                    )}
                    {item.label}
                  </a>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </nav>
      <main id="main" class="content" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

function isCurrent(href: string, path: string, tenant: TenantSession | undefined): boolean {
  if (tenant && href === tenantPath(tenant.slug)) return path === href || path === `${href}/`;
  return path === href || path.startsWith(`${href}/`);
}

function coreItems(tenant: TenantSession): NavItem[] {
  const at = (rest: string) => tenantPath(tenant.slug, rest);
  const items: (NavItem & { permission?: string })[] = [
    { label: 'Dashboard', href: at('') },
    { label: 'Marketplace', href: at('/marketplace'), permission: 'core.plugins.view' },
    { label: 'Members', href: at('/members'), permission: 'core.members.view' },
    { label: 'Invitations', href: at('/invitations'), permission: 'core.members.view' },
    { label: 'Roles', href: at('/roles'), permission: 'core.roles.view' },
    { label: 'API tokens', href: at('/api-tokens'), permission: 'core.api-tokens.view' },
    { label: 'Audit log', href: at('/audit-log'), permission: 'core.audit.view' },
  ];
  return items.filter((item) => tenant.can(item.permission));
}

/** A plugin's menu entries: its `navigation`, or else its list routes from the OpenAPI document. */
function pluginNav(tenant: TenantSession, plugin: TenantSession['plugins'][number], document: OpenApiDocument | undefined): NavItem[] {
  const entries =
    plugin.navigation.length > 0
      ? plugin.navigation
      : document
        ? pluginCollections(document, plugin.name).map((entry) => ({ ...entry, icon: plugin.icon }))
        : [];
  return entries
    .filter((entry) => tenant.can(entry.permission))
    .map((entry) => ({
      label: plugin.navigation.length > 0 ? entry.label : `${plugin.title}: ${entry.label}`,
      icon: entry.icon ?? plugin.icon,
      href: entry.path.startsWith('web:')
        ? tenantPath(tenant.slug, `/w/${plugin.name}/${entry.path.slice(4)}`)
        : tenantPath(tenant.slug, `/p/${plugin.name}${entry.path === '/' ? '' : entry.path}`),
    }));
}

/** Switches between the tenants the user belongs to, or starts a new one. */
function TenantSwitcher({ current }: { current: string | undefined }) {
  const { me } = useSession();
  return (
    <label class="tenant-switcher">
      <span class="visually-hidden">Tenant</span>
      <select
        value={current ?? ''}
        onChange={(event) => {
          const value = (event.currentTarget as HTMLSelectElement).value;
          navigate(value === '+new' ? '/tenants/new' : tenantPath(value));
        }}
      >
        {!current && <option value="">Choose a tenant…</option>}
        {me.memberships.map((membership) => (
          <option key={membership.tenant.slug} value={membership.tenant.slug}>
            {membership.tenant.name}
            {membership.tenant.status === 'suspended' ? ' (suspended)' : ''}
          </option>
        ))}
        <option value="+new">+ New tenant…</option>
      </select>
    </label>
  );
}
