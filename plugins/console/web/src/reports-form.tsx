import { useState } from 'preact/hooks';
import { ApiError, call, get } from './api';
import { formatLabel, reportTitle, type CatalogReport, type ReportFormat, type ReportRun } from './reports-data';
import { reportsText as t } from './reports-messages';
import { resourceText } from './resource-messages';
import { navigate } from './router';
import { SchemaFields } from './schema-fields';
import { bodyFrom, draftsFor, fieldsOf, placedKeys, type Drafts, type FieldSpec } from './schema';
import { tenantPath, useTenant } from './session';
import { ErrorBanner, Form, Loading, PageHeader, Submit, useAction, useLoad } from './ui';

/** The reports the caller may run in the tenant (`GET /reports/catalog`). */
export function useCatalog() {
  const tenant = useTenant();
  return useLoad(() => get<CatalogReport[]>('/reports/catalog', { tenant: tenant.slug }), [tenant.slug]);
}

/**
 * Where the API put a refused parameter's messages: `params.from` (the body's `params`) or `from`. The prefix
 * `SchemaFields` strips to show them beside the inputs.
 */
export function paramsErrorPrefix(error: unknown): string {
  return error instanceof ApiError && Object.keys(error.errors).some((key) => key.startsWith('params.') || key.startsWith('/params/')) ? 'params.' : '';
}

/** A report's parameter form: the inputs generated from its schema, their drafts, and the body they make. */
export function useParams(report: CatalogReport | undefined, initial?: Record<string, unknown>) {
  const tenant = useTenant();
  const fields: FieldSpec[] = report ? fieldsOf(report.params, { currency: tenant.currency, timeZone: tenant.timeZone, plugin: report.plugin }) : [];
  // The drafts belong to one report: choosing another (a schedule's report) starts from its defaults.
  const [edited, setEdited] = useState<{ report: string; drafts: Drafts }>();
  const [local, setLocal] = useState<Record<string, string[]>>({});
  const current = edited && edited.report === report?.name ? edited.drafts : draftsFor(fields, initial);
  const setDrafts = (drafts: Drafts) => report && setEdited({ report: report.name, drafts });
  /** The parameters as JSON, or undefined (problems shown beside the inputs) when some cannot be read. */
  const read = (): Record<string, unknown> | undefined => {
    const { body, problems } = bodyFrom(fields, current);
    setLocal(problems);
    return Object.keys(problems).length > 0 ? undefined : body;
  };
  return { fields, drafts: current, setDrafts, local, read };
}

/** The parameter inputs of a report (or a note that it has none), with the API's messages beside them. */
export function ParamsFields(props: { params: ReturnType<typeof useParams>; error: unknown; idPrefix: string }) {
  const { params, error, idPrefix } = props;
  if (params.fields.length === 0) return <p class="muted">{t('noParameters')}</p>;
  return (
    <SchemaFields
      fields={params.fields}
      drafts={params.drafts}
      onChange={params.setDrafts}
      error={error}
      idPrefix={idPrefix}
      errorPrefix={paramsErrorPrefix(error)}
      local={params.local}
    />
  );
}

/** The error keys the parameter inputs show (the rest go in the banner). */
export function placedParams(error: unknown, fields: FieldSpec[]): string[] {
  return placedKeys(error, fields, paramsErrorPrefix(error));
}

/** A choice among a few values as radio buttons in a row, labelled by a legend. */
export function ChoiceGroup<T extends string>(props: {
  id: string;
  label: string;
  value: T;
  options: readonly { value: T; label: string }[];
  onValue(value: T): void;
  hint?: string | undefined;
}) {
  const { id, label, value, options, onValue, hint } = props;
  return (
    <fieldset class="field report-choice" aria-describedby={hint ? `${id}-hint` : undefined}>
      <legend class="field-label">{label}</legend>
      <div class="segmented">
        {options.map((option) => (
          <label key={option.value} class={value === option.value ? 'selected' : undefined}>
            <input type="radio" name={id} value={option.value} checked={value === option.value} onChange={() => onValue(option.value)} />
            <span>{option.label}</span>
          </label>
        ))}
      </div>
      {hint && (
        <small class="hint" id={`${id}-hint`}>
          {hint}
        </small>
      )}
    </fieldset>
  );
}

/** The way back to the reports page, as the breadcrumb trail of a report's pages. */
export function ReportsCrumbs() {
  const tenant = useTenant();
  return (
    <nav class="breadcrumb" aria-label={resourceText('breadcrumbs')}>
      <ol>
        <li>
          <a href={tenantPath(tenant.slug, '/reports')}>{t('title')}</a>
        </li>
      </ol>
    </nav>
  );
}

/** The formats a report offers, as choices. */
export function formatOptions(report: CatalogReport): { value: ReportFormat; label: string }[] {
  return report.formats.map((format) => ({ value: format, label: formatLabel(format) }));
}

/**
 * `/t/:slug/reports/run/:plugin/:name` (see `reportFormPath`): a report's parameters and format, and "Run report", which opens the run's page.
 * `?again=<run id>` (a run's "Run again") starts from that run's parameters and format.
 */
export function ReportFormPage({ name, again }: { name: string; again?: string | undefined }) {
  const tenant = useTenant();
  const catalog = useCatalog();
  const earlier = useLoad(
    () => (again ? get<ReportRun>(`/reports/${encodeURIComponent(again)}`, { tenant: tenant.slug }) : Promise.resolve(undefined)),
    [again, tenant.slug],
  );
  const report = catalog.data?.find((entry) => entry.name === name);
  if ((catalog.loading && !catalog.data) || (again && earlier.loading)) return <Loading />;
  if (!report)
    return (
      <section class="narrow">
        <PageHeader title={t('title')} />
        <ErrorBanner error={catalog.error} />
        {!catalog.error && <p class="banner error">{t('unknownReport')}</p>}
        <a href={tenantPath(tenant.slug, '/reports')}>{t('backToReports')}</a>
      </section>
    );
  const from = earlier.data?.report === report.name ? earlier.data : undefined;
  return <ReportForm key={`${report.name}:${from?.id ?? ''}`} report={report} earlier={from} />;
}

function ReportForm({ report, earlier }: { report: CatalogReport; earlier: ReportRun | undefined }) {
  const tenant = useTenant();
  const params = useParams(report, earlier?.params);
  const [format, setFormat] = useState<ReportFormat>(earlier && report.formats.includes(earlier.format) ? earlier.format : (report.formats[0] ?? 'csv'));
  const { busy, error, run } = useAction(async () => {
    const body = params.read();
    if (!body) return;
    const { data } = await call<ReportRun>('POST', '/reports', { tenant: tenant.slug, body: { report: report.name, params: body, format } });
    navigate(tenantPath(tenant.slug, `/reports/${encodeURIComponent(data.id)}`));
  });
  const title = reportTitle(report);
  return (
    <section class="narrow">
      <ReportsCrumbs />
      <PageHeader title={title} />
      {report.description && <p class="muted">{reportTitle({ plugin: report.plugin, title: report.description })}</p>}
      <Form class="panel" noValidate onSubmit={run}>
        <ErrorBanner error={error} placed={placedParams(error, params.fields)} />
        <h2>{t('parameters')}</h2>
        <ParamsFields params={params} error={error} idPrefix="param" />
        <ChoiceGroup<ReportFormat> id="report-format" label={t('format')} value={format} options={formatOptions(report)} onValue={setFormat} />
        <div class="form-actions">
          <a class="button secondary" href={tenantPath(tenant.slug, '/reports')}>
            {t('cancel')}
          </a>
          <Submit busy={busy}>{t('run')}</Submit>
        </div>
      </Form>
    </section>
  );
}
