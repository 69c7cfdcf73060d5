import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { match, type Location } from './router';
import type { AppSession } from './session';
import { shellText } from './shell-messages';
import { Empty, Loading } from './ui';

/**
 * A screen loaded on first use with `import()`: the first load carries the shell and the current screen only.
 * Each module is fetched once; a failed fetch (a deploy replaced the chunks, the network dropped) can be retried.
 */
function lazyScreen<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | undefined;
  let pending: Promise<ComponentType<P>> | undefined;
  const fetchScreen = () => {
    pending ??= load().then(
      (screen) => (loaded = screen),
      (error: unknown) => {
        pending = undefined;
        throw error;
      },
    );
    return pending;
  };
  return function LazyScreen(props: P) {
    const [, setReady] = useState(false);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (loaded || failed) return;
      let live = true;
      fetchScreen().then(
        () => live && setReady(true),
        () => live && setFailed(true),
      );
      return () => {
        live = false;
      };
    }, [failed]);
    if (loaded) {
      const Screen = loaded;
      return <Screen {...props} />;
    }
    if (failed)
      return (
        <div class="banner error" role="alert">
          <p>{shellText('screenFailed')}</p>
          <button type="button" onClick={() => setFailed(false)}>
            {shellText('reload')}
          </button>
        </div>
      );
    return <Loading />;
  };
}

const AccountPage = lazyScreen(() => import('./account').then((module) => module.AccountPage));
const AdminPluginsPage = lazyScreen(() => import('./admin-plugins').then((module) => module.AdminPluginsPage));
const AdminJobsPage = lazyScreen(() => import('./admin-jobs').then((module) => module.AdminJobsPage));
const AdminTenantPage = lazyScreen(() => import('./admin').then((module) => module.AdminTenantPage));
const AdminTenantsPage = lazyScreen(() => import('./admin').then((module) => module.AdminTenantsPage));
const AuditPage = lazyScreen(() => import('./audit').then((module) => module.AuditPage));
const HostAuditPage = lazyScreen(() => import('./audit').then((module) => module.HostAuditPage));
const DashboardPage = lazyScreen(() => import('./dashboard').then((module) => module.DashboardPage));
const MarketplacePage = lazyScreen(() => import('./marketplace').then((module) => module.MarketplacePage));
const InvitationsPage = lazyScreen(() => import('./invitations').then((module) => module.InvitationsPage));
const MembersPage = lazyScreen(() => import('./members').then((module) => module.MembersPage));
const PluginPage = lazyScreen(() => import('./resource').then((module) => module.PluginPage));
const PluginScreenPage = lazyScreen(() => import('./plugin-screen').then((module) => module.PluginScreenPage));
const RolesPage = lazyScreen(() => import('./roles').then((module) => module.RolesPage));
const NewTenantPage = lazyScreen(() => import('./tenants').then((module) => module.NewTenantPage));
const TokensPage = lazyScreen(() => import('./tokens').then((module) => module.TokensPage));
const SupportAccessPage = lazyScreen(() => import('./support').then((module) => module.SupportAccessPage));
const NotificationsPage = lazyScreen(() => import('./notifications').then((module) => module.NotificationsPage));
const NotificationSettingsPage = lazyScreen(() => import('./notifications-settings').then((module) => module.NotificationSettingsPage));
const ReportsPage = lazyScreen(() => import('./reports').then((module) => module.ReportsPage));
const ReportFormPage = lazyScreen(() => import('./reports').then((module) => module.ReportFormPage));
const ReportRunPage = lazyScreen(() => import('./reports').then((module) => module.ReportRunPage));
const ReportSchedulesPage = lazyScreen(() => import('./reports').then((module) => module.ReportSchedulesPage));
const UnitsPage = lazyScreen(() => import('./units').then((module) => module.UnitsPage));
const TenantSsoPage = lazyScreen(() => import('./tenant-sso').then((module) => module.TenantSsoPage));
const BillingPage = lazyScreen(() => import('./billing').then((module) => module.BillingPage));
const InvoicesPage = lazyScreen(() => import('./billing-invoices').then((module) => module.InvoicesPage));
const InvoicePage = lazyScreen(() => import('./billing-invoices').then((module) => module.InvoicePage));
const AdminBillingPlansPage = lazyScreen(() => import('./admin-billing-plans').then((module) => module.AdminBillingPlansPage));
const AdminBillingPlanPage = lazyScreen(() => import('./admin-billing-plan-editor').then((module) => module.AdminBillingPlanPage));
const AdminBillingSubscriptionsPage = lazyScreen(() => import('./admin-billing-subscriptions').then((module) => module.AdminBillingSubscriptionsPage));
const AdminBillingRevenuePage = lazyScreen(() => import('./admin-billing-revenue').then((module) => module.AdminBillingRevenuePage));
const AdminIdentityProvidersPage = lazyScreen(() => import('./admin-identity-providers').then((module) => module.AdminIdentityProvidersPage));

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
    if (path === '/admin/identity-providers') return <AdminIdentityProvidersPage />;
    if (path === '/admin/billing' || path === '/admin/billing/plans') return <AdminBillingPlansPage location={location} />;
    if (path === '/admin/billing/plans/new') return <AdminBillingPlanPage />;
    if (path === '/admin/billing/subscriptions') return <AdminBillingSubscriptionsPage location={location} />;
    if (path === '/admin/billing/revenue') return <AdminBillingRevenuePage />;
    const billingPlan = match('/admin/billing/plans/:id', path);
    if (billingPlan) return <AdminBillingPlanPage id={billingPlan.id!} />;
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
      '/units': () => <UnitsPage />,
      '/roles': () => <RolesPage />,
      '/api-tokens': () => <TokensPage />,
      '/audit-log': () => <AuditPage location={location} />,
      '/support-access': () => <SupportAccessPage />,
      '/notifications': () => <NotificationsPage location={location} />,
      '/notification-settings': () => <NotificationSettingsPage />,
      '/reports': () => <ReportsPage location={location} />,
      '/reports/schedules': () => <ReportSchedulesPage />,
      '/sso': () => <TenantSsoPage />,
      '/settings/billing': () => <BillingPage />,
      '/settings/billing/invoices': () => <InvoicesPage location={location} />,
    };
    const page = pages[rest];
    if (page) return page();
    const plugin = match('/p/:plugin/*', rest);
    if (plugin) return <PluginPage plugin={plugin.plugin!} path={`/${plugin['*']}`} location={location} />;
    const reportForm = match('/reports/run/:plugin/:name', rest);
    if (reportForm) return <ReportFormPage name={`${reportForm.plugin}.${reportForm.name}`} again={location.query.get('again') ?? undefined} />;
    const invoice = match('/settings/billing/invoices/:id', rest);
    if (invoice) return <InvoicePage id={invoice.id!} />;
    const reportRun = match('/reports/:id', rest);
    if (reportRun) return <ReportRunPage id={reportRun.id!} />;
    const component = match('/w/:plugin/:element', rest);
    if (component) return <PluginScreenPage plugin={component.plugin!} element={component.element!} location={location} />;
  }
  return (
    <Empty>
      <h1>{shellText('notFoundTitle')}</h1>
      <p>
        {shellText('notFoundBefore')} <code dir="ltr">{location.path}</code>. <a href="/">{shellText('notFoundLink')}</a>
      </p>
    </Empty>
  );
}
