import { useState } from 'preact/hooks';
import { call } from './api';
import { navigate, type Location } from './router';
import { useTenant } from './session';
import { Empty, ErrorBanner, Loading, PageHeader, Pager, useLoad, When } from './ui';

export interface AuditEntry {
  id: string;
  action: string;
  actor: { user_id: string | null; email: string | null; name: string | null; token_id: string | null } | null;
  target: { type: string | null; id: string | null } | null;
  data: Record<string, unknown>;
  ip: string | null;
  created_at: string;
}

/** Audit entries as a table (who, what, on what, from where, when). */
export function AuditTable({ entries }: { entries: AuditEntry[] }) {
  if (entries.length === 0) return <Empty>Nothing recorded yet.</Empty>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">From</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.id}>
              <td>
                <When value={entry.created_at} />
              </td>
              <td>{entry.actor?.name ?? entry.actor?.email ?? (entry.actor?.token_id ? 'API token' : 'system')}</td>
              <td>
                <code>{entry.action}</code>
              </td>
              <td>{entry.target?.type ? `${entry.target.type} ${entry.target.id ?? ''}` : '—'}</td>
              <td>{entry.ip ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The tenant's audit log, filterable by action. */
export function AuditPage({ location }: { location: Location }) {
  return <AuditLog location={location} tenant={useTenant().slug} />;
}

/** The host's audit log (sign-ins, host administration), for super-admins. */
export function HostAuditPage({ location }: { location: Location }) {
  return <AuditLog location={location} tenant={undefined} />;
}

function AuditLog({ location, tenant }: { location: Location; tenant: string | undefined }) {
  const page = Number(location.query.get('page') ?? 1) || 1;
  const action = location.query.get('action') ?? '';
  const [actionDraft, setActionDraft] = useState(action);
  const entries = useLoad(
    () => call<AuditEntry[]>('GET', tenant ? '/audit-log' : '/admin/audit-log', { tenant, query: { page, per_page: 25, action } }),
    [tenant, page, action, location.key],
  );
  const go = (next: Record<string, string | number>) => {
    const query = new URLSearchParams({ ...(action ? { action } : {}), ...Object.fromEntries(Object.entries(next).map(([k, v]) => [k, String(v)])) });
    for (const [key, value] of [...query]) if (!value) query.delete(key);
    navigate(`${location.path}?${query}`);
  };
  return (
    <section>
      <PageHeader title={tenant ? 'Audit log' : 'Audit log (host)'} />
      <form
        class="toolbar"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          go({ action: actionDraft, page: 1 });
        }}
      >
        <label>
          Action <input type="search" value={actionDraft} placeholder="e.g. plugin.enabled" onInput={(event) => setActionDraft(event.currentTarget.value)} />
        </label>
        <button type="submit">Filter</button>
      </form>
      {entries.loading && !entries.data ? (
        <Loading />
      ) : entries.error ? (
        <ErrorBanner error={entries.error} />
      ) : (
        <AuditTable entries={entries.data?.data ?? []} />
      )}
      <Pager pagination={entries.data?.pagination} onPage={(next) => go({ page: next })} />
    </section>
  );
}
