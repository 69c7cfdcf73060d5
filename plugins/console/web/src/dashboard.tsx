import { get } from './api';
import { AuditTable, type AuditEntry } from './audit';
import { tenantPath, useTenant } from './session';
import { Empty, ErrorBanner, Loading, PageHeader, useLoad } from './ui';

/** The tenant's home: its enabled plugins and the latest audit entries. */
export function DashboardPage() {
  const tenant = useTenant();
  const enabled = tenant.plugins.filter((plugin) => plugin.enabled);
  const audit = useLoad(
    () => (tenant.can('core.audit.view') ? get<AuditEntry[]>('/audit-log', { tenant: tenant.slug, query: { per_page: 10 } }) : Promise.resolve(undefined)),
    [tenant.slug],
  );
  return (
    <section>
      <PageHeader title={tenant.name} />
      <p class="muted">
        Your roles here: {tenant.roles.join(', ') || 'none'} · <code>{tenant.slug}</code>
      </p>
      <h2>Enabled plugins</h2>
      {enabled.length === 0 ? (
        <Empty>
          <p>No plugin is enabled yet.</p>
          {tenant.can('core.plugins.manage') && <a href={tenantPath(tenant.slug, '/marketplace')}>Browse the marketplace</a>}
        </Empty>
      ) : (
        <ul class="cards">
          {enabled.map((plugin) => (
            <li class="card" key={plugin.name}>
              <h3>
                <span aria-hidden="true">{plugin.icon ?? '🧩'}</span> {plugin.title}
              </h3>
              <p>{plugin.description}</p>
            </li>
          ))}
        </ul>
      )}
      {tenant.can('core.audit.view') && (
        <>
          <h2>Recent activity</h2>
          {audit.loading ? <Loading /> : audit.error ? <ErrorBanner error={audit.error} /> : <AuditTable entries={audit.data ?? []} />}
          <p>
            <a href={tenantPath(tenant.slug, '/audit-log')}>The whole audit log →</a>
          </p>
        </>
      )}
    </section>
  );
}
