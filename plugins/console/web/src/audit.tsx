import { download } from './api';
import { auditText as t } from './audit-messages';
import { AuditFilterForm, auditQueryOf, hostFilterNames, tenantFilterNames } from './audit-filters';
import { LoadedList, Table, usePagedList } from './list';
import { navigate, type Location } from './router';
import { useTenant } from './session';
import { Empty, ErrorBanner, PageHeader, Pager, useAction, When } from './ui';
import './audit.css';

export interface AuditEntry {
  id: string;
  action: string;
  actor: { user_id: string | null; email: string | null; name: string | null; token_id: string | null } | null;
  target: { type: string | null; id: string | null } | null;
  /** The organisation unit of the entry (tenant log), with its path while the unit exists. */
  unit?: { id: string; label: string | null } | null;
  data: Record<string, unknown>;
  ip: string | null;
  created_at: string;
}

type FieldChange = { from: unknown; to: unknown } | { redacted: true };

/** A value of a diff as one short line: text as is, nothing as "empty", the rest as JSON. */
function shown(value: unknown): string {
  if (value === null || value === undefined || value === '') return t('empty');
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A plugin's field diff (`data.changes`): the count, opening onto each field's old and new value (or "hidden"). */
function Changes({ changes }: { changes: Record<string, FieldChange> }) {
  const fields = Object.entries(changes);
  if (fields.length === 0) return <>—</>;
  return (
    <details class="audit-changes">
      <summary>{t('fieldChanges', { count: fields.length })}</summary>
      <dl>
        {fields.map(([field, change]) => (
          <div key={field}>
            <dt>
              <code>{field}</code>
            </dt>
            <dd>
              {'redacted' in change ? (
                <em>{t('hidden')}</em>
              ) : (
                <>
                  <bdi class="muted">{shown(change.from)}</bdi> {t('to')} <bdi>{shown(change.to)}</bdi>
                </>
              )}
            </dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

function actorOf(entry: AuditEntry): string {
  const { actor, data } = entry;
  if (actor?.name || actor?.email) return (actor.name || actor.email)!;
  if (actor?.token_id) return t('apiToken');
  return typeof data.by === 'string' ? t('byPlugin', { plugin: data.by }) : t('system');
}

/** Audit entries as a table (who, what, on what, where, which fields, from where, when). */
export function AuditTable({ entries, empty = t('nothing') }: { entries: readonly AuditEntry[]; empty?: string }) {
  if (entries.length === 0) return <Empty>{empty}</Empty>;
  const withUnits = entries.some((entry) => entry.unit);
  const withChanges = entries.some((entry) => entry.data.changes);
  const columns = [t('when'), t('who'), t('action'), t('target'), ...(withUnits ? [t('unit')] : []), ...(withChanges ? [t('changes')] : []), t('from')];
  return (
    <Table columns={columns}>
      {entries.map((entry) => (
        <tr key={entry.id}>
          <td>
            <When value={entry.created_at} />
          </td>
          <td>{actorOf(entry)}</td>
          <td>
            <code>{entry.action}</code>
          </td>
          <td>
            {entry.target?.type ? (
              <>
                {entry.target.type} <bdi>{entry.target.id ?? ''}</bdi>
              </>
            ) : (
              '—'
            )}
          </td>
          {withUnits && <td>{entry.unit ? <bdi>{entry.unit.label ?? entry.unit.id}</bdi> : '—'}</td>}
          {withChanges && <td>{entry.data.changes ? <Changes changes={entry.data.changes as Record<string, FieldChange>} /> : '—'}</td>}
          <td>
            <bdi>{entry.ip ?? '—'}</bdi>
          </td>
        </tr>
      ))}
    </Table>
  );
}

/** The tenant's audit log: filters by who, action, target, unit and time, and the filtered log as CSV. */
export function AuditPage({ location }: { location: Location }) {
  return <AuditLog location={location} tenant={useTenant().slug} />;
}

/** The host's audit log (sign-ins, host administration), for super-admins. */
export function HostAuditPage({ location }: { location: Location }) {
  return <AuditLog location={location} tenant={undefined} />;
}

function AuditLog({ location, tenant }: { location: Location; tenant: string | undefined }) {
  const filters = auditQueryOf(location, tenant ? tenantFilterNames : hostFilterNames);
  const entries = usePagedList<AuditEntry>(tenant ? '/audit-log' : '/admin/audit-log', location, { tenant, query: { per_page: 25, ...filters } });
  const go = (next: Record<string, string | number>) => {
    const query = new URLSearchParams(Object.entries(next).map(([key, value]) => [key, String(value)]));
    for (const [key, value] of [...query]) if (!value) query.delete(key);
    navigate(`${location.path}${query.size ? `?${query}` : ''}`);
  };
  const exporter = useAction(async () => {
    const { blob, filename } = await download('/audit-log/export', { tenant, query: filters });
    const url = URL.createObjectURL(blob);
    Object.assign(document.createElement('a'), { href: url, download: filename ?? 'audit-log.csv' }).click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  });
  const filtered = Object.keys(filters).length > 0;
  return (
    <section>
      <PageHeader title={tenant ? t('title') : t('hostTitle')}>
        {tenant && (
          <button type="button" class="secondary" disabled={exporter.busy} onClick={() => void exporter.run()}>
            {t('export')}
          </button>
        )}
      </PageHeader>
      <AuditFilterForm tenant={tenant} values={filters} onApply={go} />
      <ErrorBanner error={exporter.error} />
      <LoadedList list={entries} items={entries.data?.data} empty={filtered ? t('nothingMatches') : t('nothing')}>
        {(items) => <AuditTable entries={items} />}
      </LoadedList>
      <Pager pagination={entries.data?.pagination} onPage={(next) => go({ ...filters, page: next })} />
    </section>
  );
}
