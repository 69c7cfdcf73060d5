import { useState } from 'preact/hooks';
import { call, get } from './api';
import { LoadedList, pageOf, SearchForm, Table, usePagedList } from './list';
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
      <PageHeader title="Tenants (host)" />
      <SearchForm value={q} onSearch={(value) => go({ q: value, page: 1 })}>
        <label>
          Status{' '}
          <select value={status} onChange={(event) => go({ status: event.currentTarget.value, page: 1 })}>
            <option value="">Any</option>
            <option value="active">Active</option>
            <option value="suspended">Suspended</option>
          </select>
        </label>
      </SearchForm>
      <LoadedList list={tenants} items={tenants.data?.data} empty="No tenant matches.">
        {(items) => (
          <Table columns={['Name', 'Slug', 'Status', 'Members', 'Created']}>
            {items.map((tenant) => (
              <tr key={tenant.id}>
                <td>
                  <a href={`/admin/tenants/${tenant.id}`}>{tenant.name}</a>
                </td>
                <td>
                  <code>{tenant.slug}</code>
                </td>
                <td>{tenant.status}</td>
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
  const suspend = useAction(async (on: boolean) => {
    await call('POST', `/admin/tenants/${id}/${on ? 'suspend' : 'unsuspend'}`, { body: on && reason ? { reason } : {} });
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
        <code>{data.slug}</code> · {data.status} · plan {data.plan} · {data.usage.members} members · {data.usage.api_tokens} API tokens
      </p>
      <div class="panel">
        <h2>{data.status === 'suspended' ? 'Suspended' : 'Suspend'}</h2>
        <ErrorBanner error={suspend.error} />
        {data.status === 'suspended' ? (
          <button type="button" disabled={suspend.busy} onClick={() => void suspend.run(false)}>
            Reactivate
          </button>
        ) : (
          <>
            <p>Its members and API tokens get “tenant suspended” until you reactivate it.</p>
            <TextInput id="suspend-reason" label="Reason (optional)" value={reason} onInput={setReason} />
            <button type="button" class="danger" disabled={suspend.busy} onClick={() => void suspend.run(true)}>
              Suspend tenant
            </button>
          </>
        )}
      </div>
      <Form class="panel" noValidate onSubmit={saveQuotas.run}>
        <h2>Quotas</h2>
        <p class="muted">Leave a quota empty for the host default.</p>
        <ErrorBanner error={saveQuotas.error} placed={Object.keys(data.quotas)} />
        {Object.entries(data.quotas).map(([key, effective]) => (
          <TextInput
            key={key}
            id={`quota-${key}`}
            label={key.replace(/_/g, ' ')}
            type="number"
            value={drafts[key] ?? ''}
            placeholder={`default (${effective})`}
            onInput={(value) => {
              setSaved(false);
              setQuotas({ ...drafts, [key]: value });
            }}
            errors={errorsFor(saveQuotas.error, key)}
          />
        ))}
        <Submit busy={saveQuotas.busy}>Save quotas</Submit>
        {saved && (
          <p class="banner success" role="status">
            Quotas saved.
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
      <PageHeader title="Jobs (host)" />
      <div class="toolbar">
        <label>
          State{' '}
          <select value={state} onChange={(event) => go({ state: event.currentTarget.value, page: 1 })}>
            {['failed', 'running', 'scheduled', 'completed'].map((value) => (
              <option key={value}>{value}</option>
            ))}
          </select>
        </label>
      </div>
      <LoadedList list={jobs} items={jobs.data?.data} empty={`No ${state} job.`}>
        {(items) => (
          <Table columns={['Job', 'Tenant', 'Failures', 'Reason', 'Failed at']}>
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
