import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { signOut } from './api';
import { openApi, pluginCollections, type OpenApiDocument } from './openapi';
import { pluginText } from './plugin-text';
import { Icon, type IconName } from './icons';
import { navigate, type Location } from './router';
import { tenantPath, useSession, type TenantSession } from './session';
import { shellText } from './shell-messages';
import { SupportBanner } from './support-banner';
import { UnverifiedEmailBanner } from './account-sessions';
import { BillingStatusBanner, noticeText } from './billing-notice';
import { supportText } from './support-messages';
import { NotificationBell } from './notifications-bell';
import { notificationText } from './notifications-messages';
import { reportsText } from './reports-messages';
import './shell.css';

interface NavItem {
  label: string;
  href: string;
  icon: IconName | string | undefined;
}

interface NavSection {
  /** A stable key: the heading may change with the language. */
  key: string;
  title: string;
  items: NavItem[];
  /** Sub-groups below the heading: one per plugin in the apps section. */
  groups?: { key: string; title: string; icon: string | undefined; items: NavItem[] }[];
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
    if (!main) return;
    const heading = main.querySelector<HTMLElement>('h1');
    if (heading) return heading.focus({ preventScroll: true });
    // A screen still loading (a lazy chunk, its data): the content now, its heading once it shows, unless the
    // person has moved focus meanwhile.
    main.focus({ preventScroll: true });
    const observer = new MutationObserver(() => {
      const shown = main.querySelector<HTMLElement>('h1');
      if (!shown) return;
      observer.disconnect();
      if (document.activeElement === main) shown.focus({ preventScroll: true });
    });
    observer.observe(main, { childList: true, subtree: true });
    const stop = setTimeout(() => observer.disconnect(), 10_000);
    return () => {
      observer.disconnect();
      clearTimeout(stop);
    };
  }, [location.path]);

  const sections: NavSection[] = [];
  if (tenant) {
    sections.push({ key: 'tenant', title: tenant.name, items: coreItems(tenant) });
    const groups = tenant.plugins
      .filter((plugin) => plugin.enabled)
      .map((plugin) => ({ key: plugin.name, title: pluginText(plugin.name, plugin.title), icon: plugin.icon, items: pluginNav(tenant, plugin, apiDocument) }))
      .filter((group) => group.items.length > 0);
    if (groups.length > 0) sections.push({ key: 'apps', title: shellText('apps'), items: [], groups });
  }
  if (me.is_super_admin)
    sections.push({
      key: 'host',
      title: shellText('host'),
      items: [
        { label: shellText('tenants'), href: '/admin/tenants', icon: 'server' },
        { label: shellText('installedPlugins'), href: '/admin/plugins', icon: 'puzzle' },
        { label: shellText('failedJobs'), href: '/admin/jobs', icon: 'warning' },
        { label: shellText('hostAuditLog'), href: '/admin/audit-log', icon: 'activity' },
        { label: shellText('identityProviders'), href: '/admin/identity-providers', icon: 'key' },
        { label: shellText('billingPlans'), href: '/admin/billing/plans', icon: 'card' },
        { label: shellText('billingSubscriptions'), href: '/admin/billing/subscriptions', icon: 'receipt' },
        { label: shellText('billingRevenue'), href: '/admin/billing/revenue', icon: 'chart' },
      ],
    });

  const links = (items: NavItem[]) => (
    <ul>
      {items.map((item) => (
        <li key={item.href}>
          <a href={item.href} aria-current={isCurrent(item.href, location.path, tenant) ? 'page' : undefined}>
            <Icon name={item.icon} class="nav-icon" />
            <span>{item.label}</span>
          </a>
        </li>
      ))}
    </ul>
  );

  // Outside a tenant (the account page) an ordinary user has no menu: the page takes the whole width.
  const hasMenu = sections.length > 0;
  return (
    <div class={hasMenu ? 'shell' : 'shell no-menu'}>
      <a class="skip-link" href="#main">
        {shellText('skip')}
      </a>
      <header class="topbar">
        {hasMenu && (
          <button
            type="button"
            class="icon menu-toggle"
            aria-expanded={menuOpen ? 'true' : 'false'}
            aria-controls="sidebar"
            onClick={() => setMenuOpen(!menuOpen)}
          >
            <Icon name={menuOpen ? 'close' : 'menu'} />
            <span class="visually-hidden">{shellText('menu')}</span>
          </button>
        )}
        <a class="brand" href="/">
          Plinth
        </a>
        <TenantSwitcher current={tenant?.slug} />
        <div class="spacer" />
        {tenant && <NotificationBell tenant={tenant.slug} />}
        <a href="/account" class="account-link" title={me.email}>
          <Icon name="user" />
          <span>{me.name}</span>
        </a>
        <button
          type="button"
          class="secondary"
          onClick={async () => {
            await signOut();
            navigate('/login', { replace: true });
          }}
        >
          {shellText('signOut')}
        </button>
      </header>
      {hasMenu && (
        <nav id="sidebar" class={`sidebar${menuOpen ? ' open' : ''}`} aria-label={shellText('mainMenu')}>
          {sections.map((section) => (
            <div class="nav-section" key={section.key}>
              <h2>{section.title}</h2>
              {section.items.length > 0 && links(section.items)}
              {section.groups?.map((group) => (
                <div class="nav-group" key={group.key} data-plugin={group.key} role="group" aria-labelledby={`nav-group-${group.key}`}>
                  <h3 id={`nav-group-${group.key}`}>
                    <Icon name={group.icon} class="nav-icon" />
                    <span>{group.title}</span>
                  </h3>
                  {links(group.items)}
                </div>
              ))}
            </div>
          ))}
        </nav>
      )}
      <main id="main" class="content" tabIndex={-1}>
        <SupportBanner />
        <UnverifiedEmailBanner path={location.path} />
        <BillingStatusBanner path={location.path} />
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
    { label: shellText('dashboard'), href: at(''), icon: 'home' },
    { label: reportsText('title'), href: at('/reports'), icon: 'chart' },
    { label: shellText('marketplace'), href: at('/marketplace'), icon: 'store', permission: 'core.plugins.view' },
    { label: shellText('members'), href: at('/members'), icon: 'users', permission: 'core.members.view' },
    { label: shellText('invitations'), href: at('/invitations'), icon: 'user-plus', permission: 'core.members.view' },
    { label: shellText('units'), href: at('/units'), icon: 'layers', permission: 'core.units.view' },
    { label: shellText('roles'), href: at('/roles'), icon: 'shield', permission: 'core.roles.view' },
    { label: shellText('apiTokens'), href: at('/api-tokens'), icon: 'key', permission: 'core.api-tokens.view' },
    { label: shellText('auditLog'), href: at('/audit-log'), icon: 'activity', permission: 'core.audit.view' },
    { label: shellText('singleSignOn'), href: at('/sso'), icon: 'shield', permission: 'core.sso.manage' },
    { label: supportText('title'), href: at('/support-access'), icon: 'server', permission: 'core.support.manage' },
    { label: notificationText('settingsTitle'), href: at('/notification-settings'), icon: 'bell', permission: 'core.notifications.manage' },
    { label: noticeText('billing'), href: at('/settings/billing'), icon: 'credit-card', permission: 'core.billing.view' },
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
      label: pluginText(plugin.name, entry.label),
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
      <span class="visually-hidden">{shellText('tenant')}</span>
      <select
        value={current ?? ''}
        onChange={(event) => {
          const value = (event.currentTarget as HTMLSelectElement).value;
          navigate(value === '+new' ? '/tenants/new' : tenantPath(value));
        }}
      >
        {!current && <option value="">{shellText('chooseTenant')}</option>}
        {me.memberships.map((membership) => (
          <option key={membership.tenant.slug} value={membership.tenant.slug}>
            {membership.tenant.status === 'suspended' ? shellText('suspendedTenant', { name: membership.tenant.name }) : membership.tenant.name}
          </option>
        ))}
        <option value="+new">{shellText('newTenant')}</option>
      </select>
    </label>
  );
}
