import { useState } from 'preact/hooks';
import { call, get } from './api';
import { LoadedList, Table } from './list';
import { useTenant } from './session';
import { accessLabel, statusLabel, supportChanged, type SupportSession } from './support-session';
import { supportText as t } from './support-messages';
import { Dialog, DialogActions, ErrorBanner, Field, Form, PageHeader, useAction, useLoad, When } from './ui';

/** The tenant's side: the approval setting, requests to approve or deny, running sessions to end, past ones. */
export function SupportAccessPage() {
  const tenant = useTenant();
  const sessions = useLoad(() => get<SupportSession[]>('/support-access', { tenant: tenant.slug, query: { per_page: 100 } }), [tenant.slug]);
  const [approving, setApproving] = useState<SupportSession>();
  const act = useAction(async (session: SupportSession, action: 'deny' | 'end') => {
    const question = action === 'deny' ? t('denyConfirm', { operator: session.operator.email }) : t('endConfirm', { operator: session.operator.email });
    if (!window.confirm(question)) return;
    await call('POST', `/support-access/${session.id}/${action}`, { tenant: tenant.slug });
    supportChanged();
    sessions.reload();
  });
  const all = sessions.data ?? [];
  const groups = [
    { key: 'pending', title: t('pending'), items: all.filter((session) => session.status === 'pending') },
    { key: 'active', title: t('running'), items: all.filter((session) => session.status === 'active') },
    { key: 'past', title: t('past'), items: all.filter((session) => !['pending', 'active'].includes(session.status)) },
  ];
  return (
    <section>
      <PageHeader title={t('title')} />
      <p class="muted">{t('intro')}</p>
      {tenant.can('core.tenant.manage') && <ApprovalSetting />}
      <ErrorBanner error={act.error} />
      {groups.map((group) => (
        <div class="panel" key={group.key}>
          <h2>{group.title}</h2>
          <LoadedList list={sessions} items={group.items} empty={t('none')}>
            {(items) => (
              <Table columns={[t('operator'), t('reason'), t('access'), t('duration'), t('asked'), t('ends'), t('status')]} actions={group.key !== 'past'}>
                {items.map((session) => (
                  <tr key={session.id}>
                    <td>
                      <bdi>{session.operator.email}</bdi>
                    </td>
                    <td>
                      <bdi>{session.reason}</bdi>
                    </td>
                    <td>
                      {session.status === 'pending' && session.requested_role
                        ? t('requestedRole', { role: session.requested_role.name })
                        : accessLabel(session)}
                    </td>
                    <td>{t('minutes', { minutes: session.minutes })}</td>
                    <td>
                      <When value={session.created_at} />
                    </td>
                    <td>
                      <When value={session.ended_at ?? session.expires_at} />
                    </td>
                    <td>
                      {statusLabel(session.status)}
                      {session.ended_by && <> ({t('endedBy', { side: session.ended_by })})</>}
                    </td>
                    {group.key !== 'past' && (
                      <td class="row-actions">
                        {session.status === 'pending' && (
                          <>
                            <button type="button" onClick={() => setApproving(session)}>
                              {t('approve')}
                            </button>
                            <button type="button" class="secondary" disabled={act.busy} onClick={() => void act.run(session, 'deny')}>
                              {t('deny')}
                            </button>
                          </>
                        )}
                        {session.status === 'active' && (
                          <button type="button" class="danger" disabled={act.busy} onClick={() => void act.run(session, 'end')}>
                            {t('end')}
                          </button>
                        )}
                      </td>
                    )}
                  </tr>
                ))}
              </Table>
            )}
          </LoadedList>
        </div>
      ))}
      {approving && (
        <ApproveDialog
          session={approving}
          onClose={() => setApproving(undefined)}
          onApproved={() => {
            setApproving(undefined);
            supportChanged();
            sessions.reload();
          }}
        />
      )}
    </section>
  );
}

/** The tenant setting `support_access_approval`, as a checkbox saved at once. */
function ApprovalSetting() {
  const tenant = useTenant();
  const current = useLoad(() => get<{ settings: Record<string, unknown> }>('/tenant', { tenant: tenant.slug }), [tenant.slug]);
  const [saved, setSaved] = useState(false);
  const save = useAction(async (on: boolean) => {
    setSaved(false);
    await call('PATCH', '/tenant', { tenant: tenant.slug, body: { settings: { support_access_approval: on } } });
    setSaved(true);
    current.reload();
  });
  if (!current.data) return <ErrorBanner error={current.error} />;
  return (
    <div class="panel">
      <ErrorBanner error={save.error} />
      <div class="field checkbox">
        <label>
          <input
            type="checkbox"
            checked={current.data.settings.support_access_approval === true}
            disabled={save.busy}
            aria-describedby="support-approval-hint"
            onChange={(event) => void save.run((event.currentTarget as HTMLInputElement).checked)}
          />{' '}
          {t('approvalLabel')}
        </label>
        <small class="hint" id="support-approval-hint">
          {t('approvalHint')}
        </small>
      </div>
      {saved && (
        <p class="banner success" role="status">
          {t('approvalSaved')}
        </p>
      )}
    </div>
  );
}

/** Approves a request: read-only (the default) or with one of the tenant's roles. */
function ApproveDialog({ session, onClose, onApproved }: { session: SupportSession; onClose(): void; onApproved(): void }) {
  const tenant = useTenant();
  const roles = useLoad(
    () =>
      tenant.can('core.roles.view') ? get<{ id: string; name: string }[]>('/roles', { tenant: tenant.slug, query: { per_page: 100 } }) : Promise.resolve([]),
    [tenant.slug],
  );
  const [roleId, setRoleId] = useState('');
  const { busy, error, run } = useAction(async () => {
    await call('POST', `/support-access/${session.id}/approve`, { tenant: tenant.slug, body: roleId ? { role_id: roleId } : {} });
    onApproved();
  });
  return (
    <Dialog title={t('approveTitle', { operator: session.operator.email })} onClose={onClose}>
      <Form noValidate onSubmit={run}>
        <ErrorBanner error={error} />
        <p>{session.reason}</p>
        {session.requested_role && <p class="muted">{t('requestedRole', { role: session.requested_role.name })}</p>}
        <Field id="support-role" label={t('approveRole')} hint={t('approveRoleHint')}>
          <select
            id="support-role"
            value={roleId}
            aria-describedby="support-role-hint"
            onChange={(event) => setRoleId((event.currentTarget as HTMLSelectElement).value)}
          >
            <option value="">{t('readOnly')}</option>
            {(roles.data ?? [])
              .filter((role) => role.name !== 'customer')
              .map((role) => (
                <option key={role.id} value={role.id}>
                  {t('role', { role: role.name })}
                </option>
              ))}
          </select>
        </Field>
        <DialogActions onCancel={onClose} busy={busy}>
          {t('approveAction', { minutes: session.minutes })}
        </DialogActions>
      </Form>
    </Dialog>
  );
}
