import { useState } from 'preact/hooks';
import { call, get } from './api';
import { LoadedList, pageOf, SearchForm, Table, usePagedList } from './list';
import { adminText } from './admin-messages';
import { TypeToConfirmDialog } from './confirm-dialog';
import { navigate, type Location } from './router';
import { errorsFor, ErrorBanner, Form, Loading, PageHeader, Pager, Submit, TextInput, useAction, useLoad, When } from './ui';

interface AdminTenant {
  id: string;
  slug: string;
  name: string;
  status: string;
  plan: string;
  quotas: Record<string, number>;
  quota_overrides: Record<string, number>;
  usage: { members: number; api_tokens: number };
  created_at: string;
  domains?: { domain: string; verified_at: string | null }[];
}

interface Job {
  id: string;
  name: string;
  state: string;
  tenant_id: string | null;
  tenant_slug: string | null;
  fail_count: number;
  fail_reason: string | null;
  failed_at: string | null;
  next_run_at: string | null;
}

/** Host administration: every tenant, filterable by status and name. */
export function AdminTenantsPage({ location }: { location: Location }) {
  const q = location.query.get('q') ?? '';
  const status = location.query.get('status') ?? '';
  const tenants = usePagedList<AdminTenant>('/admin/tenants', location, { query: { q, status } });
  const go = (next: Record<string, string | number>) => {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries({ q, status, ...next })) if (value && !(key === 'page' && String(value) === '1')) query.set(key, String(value));
    navigate(`/admin/tenants${query.size ? `?${query}` : ''}`);
  };
  return (
    <section>
      <PageHeader title={adminText('tenantsTitle')} />
      <SearchForm value={q} onSearch={(value) => go({ q: value, page: 1 })}>
        <label>
          {adminText('status')}{' '}
          <select value={status} onChange={(event) => go({ status: event.currentTarget.value, page: 1 })}>
            <option value="">{adminText('any')}</option>
            <option value="active">{adminText('active')}</option>
            <option value="suspended">{adminText('suspended')}</option>
          </select>
        </label>
      </SearchForm>
      <LoadedList list={tenants} items={tenants.data?.data} empty={adminText('noTenant')}>
        {(items) => (
          <Table columns={[adminText('name'), adminText('slug'), adminText('status'), adminText('members'), adminText('created')]}>
            {items.map((tenant) => (
              <tr key={tenant.id}>
                <td>
                  <a href={`/admin/tenants/${tenant.id}`}>{tenant.name}</a>
                </td>
                <td>
                  <code>{tenant.slug}</code>
                </td>
                <td>{statusLabel(tenant.status)}</td>
                <td>
                  {tenant.usage.members} / {tenant.quotas.members}
                </td>
                <td>
                  <When value={tenant.created_at} />
                </td>
              </tr>
            ))}
          </Table>
        )}
      </LoadedList>
      <Pager pagination={tenants.data?.pagination} onPage={(next) => go({ page: next })} />
    </section>
  );
}

/** One tenant for the host: suspend or reactivate, quotas. */
export function AdminTenantPage({ id }: { id: string }) {
  const tenant = useLoad(() => get<AdminTenant>(`/admin/tenants/${id}`), [id]);
  const [reason, setReason] = useState('');
  const [quotas, setQuotas] = useState<Record<string, string>>();
  const [saved, setSaved] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const suspend = useAction(async (on: boolean) => {
    await call('POST', `/admin/tenants/${id}/${on ? 'suspend' : 'unsuspend'}`, { body: on && reason ? { reason } : {} });
    setConfirming(false);
    tenant.reload();
  });
  const saveQuotas = useAction(async () => {
    const body = Object.fromEntries(
      Object.entries(quotas ?? {})
        .filter(([, value]) => value !== '')
        .map(([key, value]) => [key, Number(value)]),
    );
    setSaved(false);
    await call('PUT', `/admin/tenants/${id}/quotas`, { body });
    setSaved(true);
    tenant.reload();
  });
  if (tenant.loading && !tenant.data) return <Loading />;
  if (tenant.error || !tenant.data) return <ErrorBanner error={tenant.error} />;
  const data = tenant.data;
  const drafts = quotas ?? Object.fromEntries(Object.entries(data.quota_overrides).map(([key, value]) => [key, String(value)]));
  return (
    <section class="narrow">
      <PageHeader title={data.name} />
      <p>
        {adminText('summary', {
          slug: data.slug,
          status: statusLabel(data.status),
          plan: data.plan,
          members: data.usage.members,
          tokens: data.usage.api_tokens,
        })}
      </p>
      <div class="panel">
        <h2>{data.status === 'suspended' ? adminText('suspended') : adminText('suspend')}</h2>
        {!confirming && <ErrorBanner error={suspend.error} />}
        {data.status === 'suspended' ? (
          <button type="button" disabled={suspend.busy} onClick={() => void suspend.run(false)}>
            {adminText('reactivate')}
          </button>
        ) : (
          <>
            <p>{adminText('suspendExplain')}</p>
            <TextInput id="suspend-reason" label={adminText('reason')} value={reason} onInput={setReason} />
            <button type="button" class="danger" onClick={() => setConfirming(true)}>
              {adminText('suspendTenant')}
            </button>
          </>
        )}
      </div>
      {confirming && (
        <TypeToConfirmDialog
          title={adminText('suspendTitle', { name: data.name })}
          name={data.slug}
          action={adminText('suspendTenant')}
          busy={suspend.busy}
          error={suspend.error}
          onConfirm={() => suspend.run(true)}
          onClose={() => setConfirming(false)}
        >
          <p>{adminText('suspendConfirmText', { name: data.name })}</p>
        </TypeToConfirmDialog>
      )}
      <Form class="panel" noValidate onSubmit={saveQuotas.run}>
        <h2>{adminText('quotas')}</h2>
        <p class="muted">{adminText('quotasHelp')}</p>
        <ErrorBanner error={saveQuotas.error} placed={Object.keys(data.quotas)} />
        {Object.entries(data.quotas).map(([key, effective]) => (
          <TextInput
            key={key}
            id={`quota-${key}`}
            label={key.replace(/_/g, ' ')}
            type="number"
            value={drafts[key] ?? ''}
            placeholder={adminText('quotaDefault', { value: effective })}
            onInput={(value) => {
              setSaved(false);
              setQuotas({ ...drafts, [key]: value });
            }}
            errors={errorsFor(saveQuotas.error, key)}
          />
        ))}
        <Submit busy={saveQuotas.busy}>{adminText('saveQuotas')}</Submit>
        {saved && (
          <p class="banner success" role="status">
            {adminText('quotasSaved')}
          </p>
        )}
      </Form>
    </section>
  );
}

/** Failed background jobs across tenants. */
export function AdminJobsPage({ location }: { location: Location }) {
  const page = pageOf(location);
  const state = location.query.get('state') ?? 'failed';
  const jobs = usePagedList<Job>('/admin/jobs', location, { query: { state } });
  const go = (next: Record<string, string | number>) =>
    navigate(`/admin/jobs?${new URLSearchParams(Object.entries({ state, page, ...next }).map(([k, v]) => [k, String(v)]))}`);
  return (
    <section>
      <PageHeader title={adminText('jobsTitle')} />
      <div class="toolbar">
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
      </div>
      <LoadedList list={jobs} items={jobs.data?.data} empty={adminText('noJob', { state: jobStateLabel(state) })}>
        {(items) => (
          <Table columns={[adminText('job'), adminText('tenant'), adminText('failures'), adminText('failReason'), adminText('failedAt')]}>
            {items.map((job) => (
              <tr key={job.id}>
                <td>
                  <code>{job.name}</code>
                </td>
                <td>{job.tenant_id ? <a href={`/admin/tenants/${job.tenant_id}`}>{job.tenant_slug ?? job.tenant_id.slice(0, 8)}</a> : '—'}</td>
                <td>{job.fail_count}</td>
                <td class="wrap">{job.fail_reason ?? '—'}</td>
                <td>
                  <When value={job.failed_at} />
                </td>
              </tr>
            ))}
          </Table>
        )}
      </LoadedList>
      <Pager pagination={jobs.data?.pagination} onPage={(next) => go({ page: next })} />
    </section>
  );
}

function statusLabel(status: string): string {
  return status === 'active' ? adminText('active') : status === 'suspended' ? adminText('suspended') : status;
}

const jobStates = ['failed', 'running', 'scheduled', 'completed'] as const;

function jobStateLabel(state: string): string {
  const labels: Record<string, string> = {
    failed: adminText('stateFailed'),
    running: adminText('stateRunning'),
    scheduled: adminText('stateScheduled'),
    completed: adminText('stateCompleted'),
  };
  return labels[state] ?? state;
}
