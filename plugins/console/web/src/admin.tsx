import { useState } from 'preact/hooks';
import { ApiError, call, get } from './api';
import { formatBytes } from './format';
import { LoadedList, SearchForm, Table, usePagedList } from './list';
import { adminText } from './admin-messages';
import { TypeToConfirmDialog } from './confirm-dialog';
import { navigate, type Location } from './router';
import { SupportRequestPanel } from './support-request';
import { errorsFor, ErrorBanner, Form, Loading, PageHeader, Pager, Submit, TextInput, useAction, useLoad, When } from './ui';

interface AdminTenant {
  id: string;
  slug: string;
  name: string;
  status: string;
  plan: string;
  quotas: Record<string, number>;
  quota_overrides: Record<string, number>;
  usage: {
    members: number;
    api_tokens: number;
    storage_bytes: number;
    files: number;
    /** On the tenant's own page only: requests counted in its current one-minute window. */
    requests_this_minute?: number;
    requests_window_resets_in?: number | null;
  };
  created_at: string;
  domains?: { domain: string; verified_at: string | null }[];
}

type QuotaKey = 'members' | 'api_tokens' | 'requests_per_minute' | 'storage_bytes';

/** One quota as the tenant page shows it: what it counts, how usage reads, and how its limit is typed. */
interface QuotaKind {
  key: QuotaKey;
  title: () => string;
  limitLabel: () => string;
  used: (tenant: AdminTenant) => number;
  /** "3 of 10 members"; `limit` undefined when the quota has none. */
  figures: (used: number, limit: number | undefined) => string;
  /** More about the usage (files stored, when the window ends), if any. */
  note?: (tenant: AdminTenant) => string | undefined;
  /** The smallest limit the API accepts, in the unit typed. */
  min: number;
  /** Typed in megabytes, stored in bytes. */
  megabytes?: boolean;
}

const megabyte = 1024 * 1024;

const quotaKinds: readonly QuotaKind[] = [
  {
    key: 'members',
    title: () => adminText('members'),
    limitLabel: () => adminText('membersLimit'),
    used: (tenant) => tenant.usage.members,
    figures: (used, limit) => (limit === undefined ? adminText('membersNoLimit', { used }) : adminText('membersOf', { used, limit })),
    min: 1,
  },
  {
    key: 'storage_bytes',
    title: () => adminText('storage'),
    limitLabel: () => adminText('storageLimit'),
    used: (tenant) => tenant.usage.storage_bytes,
    figures: (used, limit) =>
      limit === undefined
        ? adminText('noLimitFigures', { used: formatBytes(used) })
        : adminText('sizeOf', { used: formatBytes(used), limit: formatBytes(limit) }),
    note: (tenant) => adminText('filesStored', { files: tenant.usage.files }),
    min: 0,
    megabytes: true,
  },
  {
    key: 'api_tokens',
    title: () => adminText('apiTokens'),
    limitLabel: () => adminText('apiTokensLimit'),
    used: (tenant) => tenant.usage.api_tokens,
    figures: (used, limit) => (limit === undefined ? adminText('apiTokensNoLimit', { used }) : adminText('apiTokensOf', { used, limit })),
    min: 1,
  },
  {
    key: 'requests_per_minute',
    title: () => adminText('requests'),
    limitLabel: () => adminText('requestsLimit'),
    used: (tenant) => tenant.usage.requests_this_minute ?? 0,
    figures: (used, limit) => (limit === undefined ? adminText('requestsNoLimit', { used }) : adminText('requestsOf', { used, limit })),
    note: (tenant) => {
      const seconds = tenant.usage.requests_window_resets_in;
      return seconds ? adminText('windowEnds', { seconds }) : adminText('windowIdle');
    },
    min: 1,
  },
];

/** The overrides as the form's texts (storage in megabytes). */
function quotaDrafts(overrides: Record<string, number>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(overrides).map(([key, value]) => {
      const kind = quotaKinds.find((candidate) => candidate.key === key);
      // Exact, not rounded: saving the form unchanged must not move the limit.
      return [key, String(kind?.megabytes ? value / megabyte : value)];
    }),
  );
}

/**
 * The request body from the form's texts, or a 422-like error per field the API would refuse anyway (said here
 * in the console's words, beside the field, before anything is sent). Empty means "the host default".
 */
function quotaBody(drafts: Record<string, string>): Record<string, number> {
  const body: Record<string, number> = {};
  const errors: Record<string, string[]> = {};
  for (const kind of quotaKinds) {
    const text = (drafts[kind.key] ?? '').trim();
    if (text === '') continue;
    const value = Number(text);
    const whole = kind.megabytes ? Number.isFinite(value) : Number.isInteger(value);
    if (!whole || value < kind.min) {
      errors[kind.key] = [kind.megabytes ? adminText('invalidMegabytes') : adminText('invalidCount', { min: kind.min })];
      continue;
    }
    body[kind.key] = kind.megabytes ? Math.round(value * megabyte) : value;
  }
  if (Object.keys(errors).length > 0) throw new ApiError(422, 'validation_failed', adminText('checkLimits'), errors);
  return body;
}

/**
 * One quota: its usage against the limit as text and as a meter (warning at 80 %, full at the limit — said in
 * words too, not by colour alone), and the field to change the limit.
 */
function QuotaRow(props: { kind: QuotaKind; tenant: AdminTenant; draft: string; errors: string[]; onInput(value: string): void }) {
  const { kind, tenant, draft, errors, onInput } = props;
  const used = kind.used(tenant);
  const limit = tenant.quotas[kind.key];
  const figures = kind.figures(used, limit);
  const note = kind.note?.(tenant);
  const id = `usage-${kind.key}`;
  // Normalised to 0..1 so a zero limit still reads as full; the meter's text is `figures`.
  const fraction = limit === undefined ? 0 : limit > 0 ? Math.min(used / limit, 1) : 1;
  const state = limit === undefined ? 'none' : fraction >= 1 ? 'full' : fraction >= 0.8 ? 'warn' : 'ok';
  const typed = draft.trim() === '' ? undefined : Number(draft) * (kind.megabytes ? megabyte : 1);
  const belowUsage = typed !== undefined && Number.isFinite(typed) && typed < used;
  const fallback = kind.key in tenant.quota_overrides ? undefined : limit;
  return (
    <div class="quota" data-quota={kind.key} data-state={state} style={{ marginBlockEnd: '1.25rem' }}>
      <h3 id={`${id}-title`} style={{ marginBlockEnd: '0.25rem' }}>
        {kind.title()}
      </h3>
      <p style={{ display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: '0.25rem 0.75rem', margin: '0 0 0.35rem' }}>
        <span id={`${id}-figures`}>{figures}</span>
        {state === 'warn' && <span class="badge warn">{adminText('nearLimit')}</span>}
        {state === 'full' && (
          <span class="badge warn" style={{ background: 'var(--err-bg)', borderColor: 'var(--err-line)', color: 'var(--danger)' }}>
            {used > (limit ?? 0) ? adminText('overLimit') : adminText('limitReached')}
          </span>
        )}
        {note && <span class="muted">{note}</span>}
      </p>
      {limit !== undefined && (
        <meter
          id={id}
          aria-labelledby={`${id}-title`}
          aria-valuetext={figures}
          min={0}
          max={1}
          low={0.8}
          high={0.999}
          optimum={0}
          value={fraction}
          style={{ display: 'block', inlineSize: '100%', blockSize: '1rem', marginBlockEnd: '0.5rem' }}
        />
      )}
      <TextInput
        id={`quota-${kind.key}`}
        label={kind.limitLabel()}
        type="number"
        value={draft}
        placeholder={fallback === undefined ? '' : adminText('quotaDefault', { value: kind.megabytes ? Math.round(fallback / megabyte) : fallback })}
        hint={belowUsage ? adminText('belowUsage') : fallback === undefined ? adminText('overridden') : adminText('hostDefault')}
        onInput={onInput}
        errors={errors}
      />
    </div>
  );
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
    const body = quotaBody(quotas ?? {});
    setSaved(false);
    await call('PUT', `/admin/tenants/${id}/quotas`, { body });
    setSaved(true);
    tenant.reload();
  });
  if (tenant.loading && !tenant.data) return <Loading />;
  if (tenant.error || !tenant.data) return <ErrorBanner error={tenant.error} />;
  const data = tenant.data;
  const drafts = quotas ?? quotaDrafts(data.quota_overrides);
  return (
    <section class="narrow">
      <PageHeader title={data.name} />
      <p>
        {adminText('summary', {
          slug: data.slug,
          status: statusLabel(data.status),
          plan: data.plan,
        })}
      </p>
      <Form class="panel" noValidate onSubmit={saveQuotas.run}>
        <h2>{adminText('usageTitle')}</h2>
        <p class="muted">{adminText('quotasHelp')}</p>
        <ErrorBanner error={saveQuotas.error} placed={quotaKinds.map((kind) => kind.key)} />
        {quotaKinds.map((kind) => (
          <QuotaRow
            key={kind.key}
            kind={kind}
            tenant={data}
            draft={drafts[kind.key] ?? ''}
            errors={errorsFor(saveQuotas.error, kind.key)}
            onInput={(value) => {
              setSaved(false);
              setQuotas({ ...drafts, [kind.key]: value });
            }}
          />
        ))}
        <Submit busy={saveQuotas.busy}>{adminText('saveQuotas')}</Submit>
        {saved && (
          <p class="banner success" role="status">
            {adminText('quotasSaved')}
          </p>
        )}
      </Form>
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
      <SupportRequestPanel tenant={data} />
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
    </section>
  );
}

function statusLabel(status: string): string {
  return status === 'active' ? adminText('active') : status === 'suspended' ? adminText('suspended') : status;
}
