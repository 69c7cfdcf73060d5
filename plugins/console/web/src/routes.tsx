import { AccountPage } from './account';
import { AdminPluginsPage } from './admin-plugins';
import { AdminJobsPage, AdminTenantPage, AdminTenantsPage } from './admin';
import { AuditPage, HostAuditPage } from './audit';
import { DashboardPage } from './dashboard';
import { MarketplacePage } from './marketplace';
import { InvitationsPage } from './invitations';
import { MembersPage } from './members';
import { PluginPage, WebComponentPage } from './resource';
import { RolesPage } from './roles';
import { match, type Location } from './router';
import type { AppSession } from './session';
import { NewTenantPage } from './tenants';
import { TokensPage } from './tokens';
import { Empty } from './ui';

/** The page for a signed-in location. */
export function routeTenantPage(location: Location, session: AppSession) {
  const path = location.path.replace(/\/+$/, '') || '/';
  if (path === '/tenants/new') return <NewTenantPage />;
  if (path === '/account') return <AccountPage />;
  if (session.me.is_super_admin) {
    if (path === '/admin' || path === '/admin/tenants') return <AdminTenantsPage location={location} />;
    if (path === '/admin/plugins') return <AdminPluginsPage />;
    if (path === '/admin/jobs') return <AdminJobsPage location={location} />;
    if (path === '/admin/audit-log') return <HostAuditPage location={location} />;
    const adminTenant = match('/admin/tenants/:id', path);
    if (adminTenant) return <AdminTenantPage id={adminTenant.id!} />;
  }
  const tenantPage = match('/t/:slug/*', path);
  const rest = tenantPage ? `/${tenantPage['*'] ?? ''}` : match('/t/:slug', path) ? '/' : undefined;
  if (rest !== undefined) {
    const pages: Record<string, () => preact.JSX.Element> = {
      '/': () => <DashboardPage />,
      '/marketplace': () => <MarketplacePage />,
      '/members': () => <MembersPage location={location} />,
      '/invitations': () => <InvitationsPage />,
      '/roles': () => <RolesPage />,
      '/api-tokens': () => <TokensPage />,
      '/audit-log': () => <AuditPage location={location} />,
    };
    const page = pages[rest];
    if (page) return page();
    const plugin = match('/p/:plugin/*', rest);
    if (plugin) return <PluginPage plugin={plugin.plugin!} path={`/${plugin['*']}`} location={location} />;
    const component = match('/w/:plugin/:element', rest);
    if (component) return <WebComponentPage plugin={component.plugin!} element={component.element!} />;
  }
  return (
    <Empty>
      <h1>Page not found</h1>
      <p>
        Nothing lives at <code>{location.path}</code>. <a href="/">Go to the console</a>.
      </p>
    </Empty>
  );
}
