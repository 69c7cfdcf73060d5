import { LoadedList, Table, usePagedList } from './list';
import { pluginText } from './plugin-text';
import { formatLabel, reportFormPath, reportTitle, runTitle, statusLabel, type CatalogReport, type ReportRun } from './reports-data';
import { useCatalog } from './reports-form';
import { reportsText as t } from './reports-messages';
import { navigate, type Location } from './router';
import { tenantPath, useTenant } from './session';
import { PageHeader, Pager, When } from './ui';
import './reports.css';

export { ReportFormPage } from './reports-form';
export { ReportRunPage } from './reports-run';
export { ReportSchedulesPage } from './reports-schedules';

/** `/t/:slug/reports`: the reports the member may run, grouped by app, and the runs so far. */
export function ReportsPage({ location }: { location: Location }) {
  const tenant = useTenant();
  return (
    <section>
      <PageHeader title={t('title')}>
        {tenant.can('core.reports.schedule') && (
          <a class="button secondary" href={tenantPath(tenant.slug, '/reports/schedules')}>
            {t('schedules')}
          </a>
        )}
      </PageHeader>
      <p class="muted">{t('intro')}</p>
      <Catalog />
      <Runs location={location} />
    </section>
  );
}

/** The catalogue, one group per plugin: each report's title (a link to its form), description and formats. */
function Catalog() {
  const tenant = useTenant();
  const catalog = useCatalog();
  const groups = new Map<string, CatalogReport[]>();
  for (const report of catalog.data ?? []) groups.set(report.plugin, [...(groups.get(report.plugin) ?? []), report]);
  const groupTitle = (plugin: string) => {
    if (plugin === 'core') return t('core');
    const entry = tenant.plugins.find((candidate) => candidate.name === plugin);
    return pluginText(plugin, entry?.title ?? plugin);
  };
  return (
    <div class="panel report-catalog">
      <h2>{t('catalog')}</h2>
      <LoadedList list={catalog} items={catalog.data} empty={t('noReports')}>
        {() =>
          [...groups].map(([plugin, reports]) => (
            <section key={plugin} class="report-group" aria-labelledby={`report-group-${plugin}`} data-plugin={plugin}>
              <h3 id={`report-group-${plugin}`}>{groupTitle(plugin)}</h3>
              <ul class="cards">
                {reports.map((report) => (
                  <li class="card" key={report.name}>
                    <h4>
                      <a href={tenantPath(tenant.slug, reportFormPath(report.name))}>{reportTitle(report)}</a>
                    </h4>
                    {report.description && <p>{pluginText(report.plugin, report.description)}</p>}
                    <p class="muted">{t('formats', { formats: report.formats.map(formatLabel).join(' · ') })}</p>
                  </li>
                ))}
              </ul>
            </section>
          ))
        }
      </LoadedList>
    </div>
  );
}

/** The member's runs (everyone's with `core.reports.manage`), newest first, each opening its page. */
function Runs({ location }: { location: Location }) {
  const tenant = useTenant();
  const runs = usePagedList<ReportRun>('/reports', location, { tenant: tenant.slug });
  const open = (run: ReportRun) => tenantPath(tenant.slug, `/reports/${encodeURIComponent(run.id)}`);
  return (
    <div class="panel">
      <h2>{tenant.can('core.reports.manage') ? t('allRuns') : t('recentRuns')}</h2>
      <LoadedList list={runs} items={runs.data?.data} empty={t('noRuns')}>
        {(items) => (
          <>
            <Table columns={[t('report'), t('format'), t('status'), t('requested'), t('finished')]}>
              {items.map((run) => (
                <tr key={run.id}>
                  <td>
                    <a href={open(run)}>
                      <bdi>{runTitle(run)}</bdi>
                    </a>
                  </td>
                  <td>{formatLabel(run.format)}</td>
                  <td>
                    <span class={`badge run-${run.status}`}>{statusLabel(run.status)}</span>
                  </td>
                  <td>
                    <When value={run.created_at} />
                  </td>
                  <td>
                    <When value={run.finished_at} />
                  </td>
                </tr>
              ))}
            </Table>
            <Pager pagination={runs.data?.pagination} onPage={(page) => navigate(`${location.path}?page=${page}`)} />
          </>
        )}
      </LoadedList>
    </div>
  );
}
