import { LoadedList, SearchForm, Table, usePagedList } from './list';
import { navigate, type Location } from './router';
import { useTenant } from './session';
import { defineMessages } from './i18n';
import { Empty, PageHeader, Pager, When } from './ui';

const t = defineMessages({
  en: {
    nothing: 'Nothing recorded yet.',
    when: 'When',
    who: 'Who',
    action: 'Action',
    target: 'Target',
    from: 'From',
    apiToken: 'API token',
    system: 'system',
    title: 'Audit log',
    hostTitle: 'Audit log (host)',
    actionExample: 'e.g. plugin.enabled',
    filter: 'Filter',
  },
  ar: {
    nothing: 'لم يُسجَّل شيء بعد.',
    when: 'الوقت',
    who: 'المنفّذ',
    action: 'الإجراء',
    target: 'الهدف',
    from: 'المصدر',
    apiToken: 'رمز API',
    system: 'النظام',
    title: 'سجل التدقيق',
    hostTitle: 'سجل التدقيق (المضيف)',
    actionExample: 'مثلًا plugin.enabled',
    filter: 'تصفية',
  },
});

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
export function AuditTable({ entries }: { entries: readonly AuditEntry[] }) {
  if (entries.length === 0) return <Empty>{t('nothing')}</Empty>;
  return (
    <Table columns={[t('when'), t('who'), t('action'), t('target'), t('from')]}>
      {entries.map((entry) => (
        <tr key={entry.id}>
          <td>
            <When value={entry.created_at} />
          </td>
          <td>{entry.actor?.name ?? entry.actor?.email ?? (entry.actor?.token_id ? t('apiToken') : t('system'))}</td>
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
          <td>
            <bdi>{entry.ip ?? '—'}</bdi>
          </td>
        </tr>
      ))}
    </Table>
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
  const action = location.query.get('action') ?? '';
  const entries = usePagedList<AuditEntry>(tenant ? '/audit-log' : '/admin/audit-log', location, { tenant, query: { per_page: 25, action } });
  const go = (next: Record<string, string | number>) => {
    const query = new URLSearchParams({ ...(action ? { action } : {}), ...Object.fromEntries(Object.entries(next).map(([k, v]) => [k, String(v)])) });
    for (const [key, value] of [...query]) if (!value) query.delete(key);
    navigate(`${location.path}?${query}`);
  };
  return (
    <section>
      <PageHeader title={tenant ? t('title') : t('hostTitle')} />
      <SearchForm
        value={action}
        label={t('action')}
        placeholder={t('actionExample')}
        button={t('filter')}
        onSearch={(value) => go({ action: value, page: 1 })}
      />
      <LoadedList list={entries} items={entries.data?.data} empty={t('nothing')}>
        {(items) => <AuditTable entries={items} />}
      </LoadedList>
      <Pager pagination={entries.data?.pagination} onPage={(next) => go({ page: next })} />
    </section>
  );
}
