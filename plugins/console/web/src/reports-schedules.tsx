import { useState } from 'preact/hooks';
import { call, get } from './api';
import { bodyFrom } from './fields/model';
import { RefPicker } from './fields/ref-picker';
import { LoadedList, Table } from './list';
import {
  cronLabel,
  cronPresets,
  formatLabel,
  reportTitle,
  timeZones,
  type CatalogReport,
  type ReportFormat,
  type ReportSchedule,
  type ScheduleInput,
} from './reports-data';
import { ChoiceGroup, formatOptions, ParamsFields, placedParams, ReportsCrumbs, useCatalog, useParams } from './reports-form';
import { reportsText as t } from './reports-messages';
import { useTenant } from './session';
import { Dialog, DialogActions, ErrorBanner, errorsFor, Field, Form, PageHeader, useAction, useLoad, When } from './ui';

/** The days a schedule's runs report on (`period`): before each slot, in its time zone; null for fixed dates. */
type SchedulePeriod = 'yesterday' | 'last_7_days' | 'last_week' | 'last_month';
/** A scheduled report with its period. */
type Schedule = ReportSchedule & { period: SchedulePeriod | null };

const periodOptions = [
  { value: 'yesterday', label: () => t('periodYesterday') },
  { value: 'last_7_days', label: () => t('periodLast7Days') },
  { value: 'last_week', label: () => t('periodLastWeek') },
  { value: 'last_month', label: () => t('periodLastMonth') },
] as const;

/** The period a new schedule takes with a repeat preset: every day yesterday, every Monday last week, monthly last month. */
const presetPeriods: Record<string, SchedulePeriod> = {
  [cronPresets[0].cron]: 'yesterday',
  [cronPresets[1].cron]: 'last_week',
  [cronPresets[2].cron]: 'last_month',
};

/** The parameters a period sets. */
const periodKeys = ['from', 'to'];

/** Whether a report can take a period: its parameters have `from` and `to` dates. */
function takesPeriod(report: CatalogReport | undefined): boolean {
  const properties = report?.params.properties ?? {};
  return periodKeys.every((key) => properties[key]?.type === 'string' && properties[key]?.format === 'date');
}

/** A period in words, or undefined for fixed dates. */
const periodLabel = (period: SchedulePeriod | null) => periodOptions.find((option) => option.value === period)?.label();

/** How the recipients picker finds members: by name or email, showing the email beside the name. */
const memberRef = { resource: '/members', value: 'user_id', label: 'name', detail: 'email' };

/** `/t/:slug/reports/schedules`: the tenant's scheduled reports, to add, change and delete. */
export function ReportSchedulesPage() {
  const tenant = useTenant();
  const catalog = useCatalog();
  const schedules = useLoad(() => get<Schedule[]>('/report-schedules', { tenant: tenant.slug, query: { per_page: 100 } }), [tenant.slug]);
  const [editing, setEditing] = useState<Schedule | 'new'>();
  const [deleting, setDeleting] = useState<Schedule>();
  const [notice, setNotice] = useState<string>();
  const reports = catalog.data ?? [];
  const titleOf = (name: string) => {
    const report = reports.find((entry) => entry.name === name);
    return report ? reportTitle(report) : name;
  };
  /** The schedule's period, "Fixed dates" for a report that could take one, else nothing. */
  const periodOf = (schedule: Schedule) =>
    periodLabel(schedule.period) ?? (takesPeriod(reports.find((entry) => entry.name === schedule.report)) ? t('periodFixed') : '—');
  const done = (message: string) => {
    setEditing(undefined);
    setDeleting(undefined);
    setNotice(message);
    schedules.reload();
  };
  return (
    <section>
      <ReportsCrumbs />
      <PageHeader title={t('scheduleTitle')}>
        {reports.length > 0 && (
          <button
            type="button"
            onClick={() => {
              setNotice(undefined);
              setEditing('new');
            }}
          >
            {t('newSchedule')}
          </button>
        )}
      </PageHeader>
      <p class="muted">{t('schedulesIntro')}</p>
      {notice && (
        <p class="banner success" role="status">
          {notice}
        </p>
      )}
      <LoadedList list={schedules} items={schedules.data} empty={t('noSchedules')}>
        {(items) => (
          <Table columns={[t('report'), t('when'), t('period'), t('format'), t('recipients'), t('delivery'), t('status'), t('nextRun')]} actions>
            {items.map((schedule) => (
              <tr key={schedule.id}>
                <td>
                  <bdi>{titleOf(schedule.report)}</bdi>
                </td>
                <td>
                  <bdi>{cronLabel(schedule.cron)}</bdi> <span class="muted">({schedule.time_zone})</span>
                </td>
                <td>{periodOf(schedule)}</td>
                <td>{formatLabel(schedule.format)}</td>
                <td>{t('recipientsCount', { count: schedule.recipients.length })}</td>
                <td>{schedule.delivery === 'attachment' ? t('deliveryAttachment') : t('deliveryLink')}</td>
                <td>
                  <span class={schedule.enabled ? 'badge on' : 'badge'}>{schedule.enabled ? t('on') : t('off')}</span>
                </td>
                <td>
                  <When value={schedule.enabled ? schedule.next_run_at : undefined} />
                </td>
                <td class="row-actions">
                  <button
                    type="button"
                    class="secondary"
                    aria-label={t('editNamed', { report: titleOf(schedule.report) })}
                    onClick={() => setEditing(schedule)}
                  >
                    {t('edit')}
                  </button>
                  <button
                    type="button"
                    class="danger"
                    aria-label={t('deleteNamed', { report: titleOf(schedule.report) })}
                    onClick={() => setDeleting(schedule)}
                  >
                    {t('delete')}
                  </button>
                </td>
              </tr>
            ))}
          </Table>
        )}
      </LoadedList>
      {editing && (
        <ScheduleDialog
          reports={reports}
          schedule={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
          onSaved={() => done(t('saved'))}
        />
      )}
      {deleting && (
        <DeleteDialog schedule={deleting} title={titleOf(deleting.report)} onClose={() => setDeleting(undefined)} onDeleted={() => done(t('deleted'))} />
      )}
    </section>
  );
}

/** `custom` when the expression is none of the presets. */
const presetOf = (cron: string) => cronPresets.find((preset) => preset.cron === cron)?.cron ?? 'custom';

/**
 * Creates or edits a schedule: report, its period (for a report with from and to dates: then those inputs are
 * hidden) and other parameters, format, when, recipients, delivery, enabled.
 */
function ScheduleDialog(props: { reports: CatalogReport[]; schedule: Schedule | undefined; onClose(): void; onSaved(): void }) {
  const { reports, schedule, onClose, onSaved } = props;
  const tenant = useTenant();
  const [name, setName] = useState(schedule?.report ?? reports[0]?.name ?? '');
  const report = reports.find((entry) => entry.name === name);
  const params = useParams(report, name === schedule?.report ? schedule.params : undefined);
  const [format, setFormat] = useState<ReportFormat>(schedule?.format ?? report?.formats[0] ?? 'csv');
  const [preset, setPreset] = useState<string>(presetOf(schedule?.cron ?? cronPresets[0].cron));
  // A new schedule's period follows the repeat preset until it is chosen.
  const [chosenPeriod, setChosenPeriod] = useState<{ period: SchedulePeriod | null }>();
  const dated = takesPeriod(report);
  const period = dated ? (chosenPeriod ? chosenPeriod.period : schedule ? schedule.period : (presetPeriods[preset] ?? null)) : null;
  // With a period, from and to are the period's: neither shown nor sent.
  const fields = period ? params.fields.filter((field) => !periodKeys.includes(field.name)) : params.fields;
  const [local, setLocal] = useState<Record<string, string[]>>({});
  const shownParams = period ? { ...params, fields, local } : params;
  const readParams = () => {
    if (!period) return params.read();
    const { body, problems } = bodyFrom(fields, params.drafts);
    setLocal(problems);
    return Object.keys(problems).length > 0 ? undefined : body;
  };
  const [cron, setCron] = useState(schedule?.cron ?? '');
  const [timeZone, setTimeZone] = useState(schedule?.time_zone ?? tenant.timeZone);
  const [recipients, setRecipients] = useState<string[]>(schedule?.recipients ?? []);
  const [delivery, setDelivery] = useState<ScheduleInput['delivery']>(schedule?.delivery ?? 'attachment');
  const [enabled, setEnabled] = useState(schedule?.enabled ?? true);
  const { busy, error, run } = useAction(async () => {
    const values = readParams();
    if (!values) return;
    const body: ScheduleInput & Pick<Schedule, 'period'> = {
      report: name,
      params: values,
      period,
      format,
      cron: preset === 'custom' ? cron.trim() : preset,
      time_zone: timeZone,
      recipients,
      delivery,
      enabled,
    };
    if (schedule) await call('PATCH', `/report-schedules/${encodeURIComponent(schedule.id)}`, { tenant: tenant.slug, body });
    else await call('POST', '/report-schedules', { tenant: tenant.slug, body });
    onSaved();
  });
  const formats = report ? formatOptions(report) : [];
  const own = ['report', 'period', 'format', 'cron', 'time_zone', 'recipients', 'delivery', 'enabled'];
  return (
    <Dialog title={schedule ? t('editSchedule', { report: report ? reportTitle(report) : name }) : t('createSchedule')} onClose={onClose}>
      <Form noValidate onSubmit={run}>
        <ErrorBanner error={error} placed={[...own, ...placedParams(error, fields)]} />
        <Field id="schedule-report" label={t('report')} errors={errorsFor(error, 'report')}>
          <select
            id="schedule-report"
            value={name}
            onChange={(event) => {
              const next = reports.find((entry) => entry.name === event.currentTarget.value);
              setName(event.currentTarget.value);
              if (next && !next.formats.includes(format)) setFormat(next.formats[0] ?? 'csv');
            }}
          >
            {reports.map((entry) => (
              <option key={entry.name} value={entry.name}>
                {reportTitle(entry)}
              </option>
            ))}
          </select>
        </Field>
        {report && (
          <fieldset class="field-group report-params">
            <legend>{t('parameters')}</legend>
            {dated && (
              <Field id="schedule-period" label={t('period')} hint={t('periodHint')} errors={errorsFor(error, 'period')}>
                <select
                  id="schedule-period"
                  value={period ?? 'fixed'}
                  aria-describedby={errorsFor(error, 'period').length > 0 ? 'schedule-period-hint schedule-period-error' : 'schedule-period-hint'}
                  onChange={(event) => {
                    const value = event.currentTarget.value;
                    setChosenPeriod({ period: value === 'fixed' ? null : (value as SchedulePeriod) });
                  }}
                >
                  <option value="fixed">{t('periodFixed')}</option>
                  {periodOptions.map((option) => (
                    <option key={option.value} value={option.value}>
                      {option.label()}
                    </option>
                  ))}
                </select>
              </Field>
            )}
            {(fields.length > 0 || !period) && <ParamsFields params={shownParams} error={error} idPrefix="schedule-param" />}
          </fieldset>
        )}
        {formats.length > 0 && <ChoiceGroup<ReportFormat> id="schedule-format" label={t('format')} value={format} options={formats} onValue={setFormat} />}
        <Field id="schedule-repeat" label={t('repeat')} errors={preset === 'custom' ? [] : errorsFor(error, 'cron')}>
          <select
            id="schedule-repeat"
            value={preset}
            onChange={(event) => {
              // "Custom" starts from the expression of the preset it replaces, to be adjusted.
              if (event.currentTarget.value === 'custom' && !cron.trim()) setCron(preset);
              setPreset(event.currentTarget.value);
            }}
          >
            {cronPresets.map((option) => (
              <option key={option.cron} value={option.cron}>
                {option.label()}
              </option>
            ))}
            <option value="custom">{t('presetCustom')}</option>
          </select>
        </Field>
        {preset === 'custom' && (
          <Field id="schedule-cron" label={t('cron')} hint={t('cronHint')} errors={errorsFor(error, 'cron')}>
            <input
              id="schedule-cron"
              dir="ltr"
              autoComplete="off"
              spellcheck={false}
              placeholder="0 8 * * 1-5"
              value={cron}
              aria-invalid={errorsFor(error, 'cron').length > 0 ? 'true' : undefined}
              aria-describedby={errorsFor(error, 'cron').length > 0 ? 'schedule-cron-hint schedule-cron-error' : 'schedule-cron-hint'}
              onInput={(event) => setCron(event.currentTarget.value)}
            />
          </Field>
        )}
        <Field id="schedule-zone" label={t('timeZone')} errors={errorsFor(error, 'time_zone')}>
          <select id="schedule-zone" value={timeZone} onChange={(event) => setTimeZone(event.currentTarget.value)}>
            {timeZones(timeZone).map((zone) => (
              <option key={zone} value={zone}>
                {zone}
              </option>
            ))}
          </select>
        </Field>
        <Field id="schedule-recipients" label={t('recipients')} hint={t('recipientsHint')} errors={errorsFor(error, 'recipients')}>
          <RefPicker
            id="schedule-recipients"
            label={t('recipients')}
            reference={memberRef}
            multiple
            value={recipients}
            onValue={(value) => setRecipients(Array.isArray(value) ? value : [value])}
            invalid={errorsFor(error, 'recipients').length > 0}
            describedBy={errorsFor(error, 'recipients').length > 0 ? 'schedule-recipients-hint schedule-recipients-error' : 'schedule-recipients-hint'}
            required
          />
        </Field>
        <ChoiceGroup<ScheduleInput['delivery']>
          id="schedule-delivery"
          label={t('delivery')}
          value={delivery}
          options={[
            { value: 'attachment', label: t('deliveryAttachment') },
            { value: 'link', label: t('deliveryLink') },
          ]}
          onValue={setDelivery}
          hint={t('deliveryAttachmentHint')}
        />
        <div class="field checkbox">
          <label>
            <input type="checkbox" checked={enabled} onChange={(event) => setEnabled(event.currentTarget.checked)} /> {t('enabled')}
          </label>
        </div>
        <DialogActions onCancel={onClose} busy={busy}>
          {t('save')}
        </DialogActions>
      </Form>
    </Dialog>
  );
}

/** Asks before deleting a schedule. */
function DeleteDialog(props: { schedule: Schedule; title: string; onClose(): void; onDeleted(): void }) {
  const { schedule, title, onClose, onDeleted } = props;
  const tenant = useTenant();
  const { busy, error, run } = useAction(async () => {
    await call('DELETE', `/report-schedules/${encodeURIComponent(schedule.id)}`, { tenant: tenant.slug });
    onDeleted();
  });
  return (
    <Dialog title={t('deleteTitle', { report: title })} onClose={onClose}>
      <Form onSubmit={run}>
        <ErrorBanner error={error} />
        <p>{t('deleteExplain')}</p>
        <div class="dialog-actions">
          <button type="button" class="secondary" onClick={onClose}>
            {t('cancel')}
          </button>
          <button type="submit" class="danger" disabled={busy} aria-busy={busy ? 'true' : undefined}>
            {t('deleteConfirm')}
          </button>
        </div>
      </Form>
    </Dialog>
  );
}
