import { useEffect, useState } from 'preact/hooks';
import { call } from './api';
import { adminText } from './admin-messages';
import { LoadedList, pageOf, SearchForm, Table, usePagedList } from './list';
import { navigate, type Location } from './router';
import { Dialog, DialogActions, ErrorBanner, Form, PageHeader, Pager, useAction, When } from './ui';

const jobStates = ['dead', 'failed', 'running', 'scheduled', 'completed'] as const;
type JobState = (typeof jobStates)[number];
type JobAction = 'retry' | 'cancel' | 'discard';
const jobActions: readonly JobAction[] = ['retry', 'cancel', 'discard'];

interface Job {
  id: string;
  name: string;
  state: JobState;
  priority: string;
  tenant_id: string | null;
  tenant_slug: string | null;
  fail_count: number | null;
  fail_reason: string | null;
  failed_at: string | null;
  next_run_at: string | null;
  last_run_at: string | null;
  repeat_interval: string | null;
}

/** What `POST /admin/jobs/bulk` answers: the jobs acted on, and those skipped with the reason. */
interface BulkResult {
  action: JobAction;
  count: number;
  ids: string[];
  skipped: { id: string; reason: 'not_found' | 'running' | 'recurring' | 'wrong_state'; state: JobState | null }[];
}

/** Whether `action` takes `job` (as the API decides: retry and discard dead or failed jobs, cancel waiting one-off jobs). */
function takes(action: JobAction, job: Job): boolean {
  if (action === 'cancel') return (job.state === 'scheduled' || job.state === 'failed') && !job.repeat_interval;
  return job.state === 'dead' || job.state === 'failed';
}

/** A checkbox beside what it selects. */
const pick = { display: 'inline-flex', gap: '0.6rem', alignItems: 'baseline' } as const;

/** The action asked for, on the jobs it is to take, until the host administrator confirms it. */
interface Asking {
  action: JobAction;
  jobs: readonly Job[];
}

/**
 * Host administration of background jobs: every tenant's, filtered by state (dead ones first: they wait for a
 * person) and name, with their error, attempts and times; retry, cancel or discard one job or the selected ones.
 */
export function AdminJobsPage({ location }: { location: Location }) {
  const page = pageOf(location);
  const state = location.query.get('state') ?? 'dead';
  const name = location.query.get('name') ?? '';
  const jobs = usePagedList<Job>('/admin/jobs', location, { query: { state, ...(name ? { name } : {}) } });
  const [selected, setSelected] = useState<readonly string[]>([]);
  const [asking, setAsking] = useState<Asking>();
  const [outcome, setOutcome] = useState<string>();
  // A new page of jobs (a filter, a reload after an action) starts with nothing selected.
  useEffect(() => setSelected([]), [jobs.data]);
  const go = (next: Record<string, string | number>) => {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries({ state, name, page, ...next }))
      if (value && !(key === 'page' && String(value) === '1')) query.set(key, String(value));
    setOutcome(undefined);
    navigate(`/admin/jobs?${query}`);
  };
  const act = useAction(async () => {
    if (!asking) return;
    const { action } = asking;
    if (asking.jobs.length === 1) {
      await call('POST', `/admin/jobs/${asking.jobs[0]!.id}/${action}`);
      setOutcome(adminText(`${action}Done`, { count: 1 }));
    } else {
      const result = (await call<BulkResult>('POST', '/admin/jobs/bulk', { body: { action, ids: asking.jobs.map((job) => job.id) } })).data;
      setOutcome(outcomeText(result));
    }
    setAsking(undefined);
    jobs.reload();
  });
  const items = jobs.data?.data ?? [];
  const chosen = items.filter((job) => selected.includes(job.id));
  const ask = (action: JobAction, targets: readonly Job[]) => {
    act.setError(undefined);
    setAsking({ action, jobs: targets });
  };
  return (
    <section>
      <PageHeader title={adminText('jobsTitle')} />
      <p class="muted">{adminText('jobsHelp')}</p>
      <SearchForm
        value={name}
        label={adminText('jobName')}
        button={adminText('filter')}
        placeholder="crm.campaign.send"
        onSearch={(value) => go({ name: value.trim(), page: 1 })}
      >
        <label>
          {adminText('state')}{' '}
          <select value={state} onChange={(event) => go({ state: event.currentTarget.value, page: 1 })}>
            {jobStates.map((value) => (
              <option key={value} value={value}>
                {jobStateLabel(value)}
              </option>
            ))}
          </select>
        </label>
      </SearchForm>
      {outcome && (
        <p class="banner success" role="status">
          {outcome}
        </p>
      )}
      <div class="toolbar" role="group" aria-label={adminText('selectedJobs')}>
        <span aria-live="polite">{adminText('selectedCount', { count: chosen.length })}</span>
        {jobActions.map((action) => {
          const targets = chosen.filter((job) => takes(action, job));
          return (
            <button
              type="button"
              key={action}
              class={action === 'retry' ? undefined : 'secondary'}
              disabled={targets.length === 0}
              onClick={() => ask(action, targets)}
            >
              {adminText(`${action}Selected`, { count: targets.length })}
            </button>
          );
        })}
      </div>
      <LoadedList list={jobs} items={jobs.data?.data} empty={adminText('noJob', { state: jobStateLabel(state) })}>
        {(rows) => (
          <Table
            actions
            columns={[
              {
                key: 'job',
                label: (
                  <span style={pick}>
                    <input
                      type="checkbox"
                      aria-label={adminText('selectAll')}
                      checked={rows.every((job) => selected.includes(job.id))}
                      onChange={(event) => setSelected(event.currentTarget.checked ? rows.map((job) => job.id) : [])}
                    />
                    {adminText('job')}
                  </span>
                ),
              },
              adminText('tenant'),
              adminText('state'),
              adminText('attempts'),
              adminText('error'),
              adminText('lastRun'),
              adminText('nextRun'),
            ]}
          >
            {rows.map((job) => (
              <JobRow
                key={job.id}
                job={job}
                selected={selected.includes(job.id)}
                onSelect={(on) => setSelected(on ? [...selected, job.id] : selected.filter((id) => id !== job.id))}
                onAction={(action) => ask(action, [job])}
              />
            ))}
          </Table>
        )}
      </LoadedList>
      <Pager pagination={jobs.data?.pagination} onPage={(next) => go({ page: next })} />
      {asking && (
        <Dialog title={adminText(`${asking.action}Confirm`, { count: asking.jobs.length })} onClose={() => setAsking(undefined)}>
          <Form noValidate onSubmit={act.run}>
            <ErrorBanner error={act.error} />
            <p>{adminText(`${asking.action}Explain`)}</p>
            <ul>
              {asking.jobs.slice(0, 5).map((job) => (
                <li key={job.id}>
                  <code>{job.name}</code> <span class="muted">{job.tenant_slug ?? ''}</span>
                </li>
              ))}
              {asking.jobs.length > 5 && <li class="muted">{adminText('andMore', { count: asking.jobs.length - 5 })}</li>}
            </ul>
            <DialogActions onCancel={() => setAsking(undefined)} busy={act.busy}>
              {adminText(`${asking.action}Jobs`, { count: asking.jobs.length })}
            </DialogActions>
          </Form>
        </Dialog>
      )}
    </section>
  );
}

/** One job: its checkbox, what it is and where it stands, and the actions it takes. */
function JobRow({ job, selected, onSelect, onAction }: { job: Job; selected: boolean; onSelect(on: boolean): void; onAction(action: JobAction): void }) {
  const short = job.id.slice(0, 8);
  return (
    <tr data-job={job.id} data-state={job.state}>
      <td>
        <span style={pick}>
          <input
            type="checkbox"
            aria-label={adminText('selectJob', { name: job.name, id: short })}
            checked={selected}
            onChange={(event) => onSelect(event.currentTarget.checked)}
          />
          <span>
            <code>{job.name}</code>{' '}
            <span class="muted" dir="ltr">
              {short}
            </span>
            {job.priority !== 'normal' && <span class="badge">{adminText('priority', { priority: job.priority })}</span>}
            {job.repeat_interval && <span class="badge">{adminText('recurring', { interval: job.repeat_interval })}</span>}
          </span>
        </span>
      </td>
      <td data-label={adminText('tenant')}>
        {job.tenant_id ? <a href={`/admin/tenants/${job.tenant_id}`}>{job.tenant_slug ?? job.tenant_id.slice(0, 8)}</a> : '—'}
      </td>
      <td data-label={adminText('state')}>
        <span class={job.state === 'dead' || job.state === 'failed' ? 'badge warn' : 'badge'} style={{ whiteSpace: 'nowrap' }}>
          {jobStateLabel(job.state)}
        </span>
      </td>
      <td data-label={adminText('attempts')}>{job.fail_count ?? 0}</td>
      <td data-label={adminText('error')} class="wrap" style={{ minInlineSize: '10rem' }}>
        {job.fail_reason ? <bdi>{job.fail_reason}</bdi> : '—'}
      </td>
      <td data-label={adminText('lastRun')}>
        <When value={job.last_run_at} />
      </td>
      <td data-label={adminText('nextRun')}>
        <When value={job.next_run_at} />
      </td>
      <td class="row-actions">
        {/* Wrapping, the buttons let the table narrow this column before it scrolls (longer words in Arabic). */}
        <div style={{ display: 'flex', flexWrap: 'wrap', gap: '0.4rem', justifyContent: 'flex-end' }}>
          {jobActions
            .filter((action) => takes(action, job))
            .map((action) => (
              <button
                type="button"
                key={action}
                class={action === 'retry' ? 'secondary' : 'danger-link'}
                aria-label={adminText('rowAction', { action: adminText(action), name: job.name, id: short })}
                onClick={() => onAction(action)}
              >
                {adminText(action)}
              </button>
            ))}
        </div>
      </td>
    </tr>
  );
}

/** "2 jobs discarded; 1 skipped: running." */
function outcomeText(result: BulkResult): string {
  const done = adminText(`${result.action}Done`, { count: result.count });
  if (result.skipped.length === 0) return done;
  const reasons = [...new Set(result.skipped.map((skip) => adminText(`skip_${skip.reason}`)))].join(', ');
  return `${done} ${adminText('skipped', { count: result.skipped.length, reasons })}`;
}

function jobStateLabel(state: string): string {
  const labels: Record<string, string> = {
    dead: adminText('stateDead'),
    failed: adminText('stateFailed'),
    running: adminText('stateRunning'),
    scheduled: adminText('stateScheduled'),
    completed: adminText('stateCompleted'),
  };
  return labels[state] ?? state;
}
