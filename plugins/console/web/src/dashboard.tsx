import { get } from './api';
import { AuditTable, type AuditEntry } from './audit';
import { formatIdentifiers } from './format';
import { defineMessages } from './i18n';
import { Icon } from './icons';
import { pluginDescription, pluginTitle } from './plugin-text';
import { tenantPath, useTenant } from './session';
import { TenantRegionSettings } from './tenant-settings';
import { Empty, ErrorBanner, Loading, PageHeader, useLoad } from './ui';

const t = defineMessages({
  en: {
    yourRoles: 'Your roles here: {roles}',
    none: 'none',
    enabled: 'Enabled plugins',
    noPlugin: 'No plugin is enabled yet.',
    browse: 'Browse the marketplace',
    recent: 'Recent activity',
    wholeLog: 'The whole audit log',
  },
  ar: {
    yourRoles: 'أدوارك هنا: {roles}',
    none: 'لا شيء',
    enabled: 'الإضافات المفعّلة',
    noPlugin: 'لا توجد إضافة مفعّلة بعد.',
    browse: 'تصفّح متجر الإضافات',
    recent: 'النشاط الأخير',
    wholeLog: 'سجل التدقيق كاملًا',
  },
});

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
        {t('yourRoles', { roles: formatIdentifiers(tenant.roles) || t('none') })} · <code>{tenant.slug}</code>
      </p>
      <h2>{t('enabled')}</h2>
      {enabled.length === 0 ? (
        <Empty>
          <p>{t('noPlugin')}</p>
          {tenant.can('core.plugins.manage') && <a href={tenantPath(tenant.slug, '/marketplace')}>{t('browse')}</a>}
        </Empty>
      ) : (
        <ul class="cards">
          {enabled.map((plugin) => (
            <li class="card" key={plugin.name}>
              <h3>
                <Icon name={plugin.icon} /> {pluginTitle(plugin)}
              </h3>
              <p>{pluginDescription(plugin)}</p>
            </li>
          ))}
        </ul>
      )}
      {tenant.can('core.tenant.manage') && <TenantRegionSettings />}
      {tenant.can('core.audit.view') && (
        <>
          <h2>{t('recent')}</h2>
          {audit.loading ? <Loading /> : audit.error ? <ErrorBanner error={audit.error} /> : <AuditTable entries={audit.data ?? []} />}
          <p>
            <a href={tenantPath(tenant.slug, '/audit-log')}>
              {t('wholeLog')}{' '}
              <span class="icon-directional" aria-hidden="true">
                →
              </span>
            </a>
          </p>
        </>
      )}
    </section>
  );
}
