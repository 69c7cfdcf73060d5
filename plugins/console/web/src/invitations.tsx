import { useState } from 'preact/hooks';
import { call } from './api';
import { defineMessages } from './i18n';
import { LoadedList, Table } from './list';
import { RolePicker, roleNames, useRoles } from './members';
import { useTenant } from './session';
import { CopyButton, ErrorBanner, errorsFor, Form, Loading, PageHeader, Submit, TextInput, useAction, useLoad, When } from './ui';

const t = defineMessages({
  en: {
    title: 'Invitations',
    invite: 'Invite someone',
    email: 'Email',
    loadingRoles: 'Loading roles…',
    send: 'Send invitation',
    sent: 'Invitation sent to <strong>{email}</strong>. Share this link with them (it works for 7 days, once):',
    acceptLink: 'Accept link',
    copyLink: 'Copy link',
    pending: 'Pending',
    none: 'No pending invitation.',
    roles: 'Roles',
    status: 'Status',
    expires: 'Expires',
    statusName: '{status, select, pending {Pending} accepted {Accepted} revoked {Revoked} expired {Expired} other {{status}}}',
    revoke: 'Revoke',
  },
  ar: {
    title: 'الدعوات',
    invite: 'دعوة شخص',
    email: 'البريد الإلكتروني',
    loadingRoles: 'جارٍ تحميل الأدوار…',
    send: 'إرسال الدعوة',
    sent: 'أُرسلت الدعوة إلى <strong>{email}</strong>. شارك هذا الرابط معه (يعمل مرة واحدة خلال 7 أيام):',
    acceptLink: 'رابط القبول',
    copyLink: 'نسخ الرابط',
    pending: 'قيد الانتظار',
    none: 'لا توجد دعوات قيد الانتظار.',
    roles: 'الأدوار',
    status: 'الحالة',
    expires: 'تنتهي في',
    statusName: '{status, select, pending {قيد الانتظار} accepted {مقبولة} revoked {مُبطلة} expired {منتهية} other {{status}}}',
    revoke: 'إبطال',
  },
});

interface Invitation {
  id: string;
  email: string;
  status: string;
  expires_at: string;
  created_at: string;
  roles: { id: string; name: string }[];
  accept_url?: string;
}

/** Invite by email with roles; the accept link is shown to copy and share; pending invitations can be revoked. */
export function InvitationsPage() {
  const tenant = useTenant();
  const invitations = useLoad(() => call<Invitation[]>('GET', '/invitations', { tenant: tenant.slug, query: { per_page: 100 } }), [tenant.slug]);
  const roles = useRoles(tenant.slug);
  const manage = tenant.can('core.members.manage');
  const [email, setEmail] = useState('');
  const [selected, setSelected] = useState<string[]>([]);
  const [created, setCreated] = useState<Invitation>();
  const invite = useAction(async () => {
    const { data } = await call<Invitation>('POST', '/invitations', { tenant: tenant.slug, body: { email, roles: selected } });
    setCreated(data);
    setEmail('');
    setSelected([]);
    invitations.reload();
  });
  const revoke = useAction(async (id: string) => {
    await call('DELETE', `/invitations/${id}`, { tenant: tenant.slug });
    invitations.reload();
  });
  return (
    <section>
      <PageHeader title={t('title')} />
      {manage && (
        <Form class="panel" noValidate onSubmit={invite.run}>
          <h2>{t('invite')}</h2>
          <ErrorBanner error={invite.error} placed={['email', 'roles']} />
          <TextInput id="invite-email" label={t('email')} type="email" value={email} onInput={setEmail} required errors={errorsFor(invite.error, 'email')} />
          {roles.data ? (
            <RolePicker roles={roles.data} selected={selected} onChange={setSelected} error={invite.error} />
          ) : (
            <Loading label={t('loadingRoles')} />
          )}
          <Submit busy={invite.busy}>{t('send')}</Submit>
        </Form>
      )}
      {created?.accept_url && (
        <div class="banner success" role="status">
          <p>{t.rich('sent', { email: created.email, strong: (chunks: string[]) => <strong>{chunks}</strong> })}</p>
          <div class="copy-row">
            <input readOnly aria-label={t('acceptLink')} id="accept-link" value={created.accept_url} onFocus={(event) => event.currentTarget.select()} />
            <CopyButton text={created.accept_url} label={t('copyLink')} />
          </div>
        </div>
      )}
      <h2>{t('pending')}</h2>
      <ErrorBanner error={revoke.error} />
      <LoadedList list={invitations} items={invitations.data?.data} empty={t('none')}>
        {(items) => (
          <Table columns={[t('email'), t('roles'), t('status'), t('expires')]} actions={manage}>
            {items.map((invitation) => (
              <tr key={invitation.id}>
                <td>
                  <bdi>{invitation.email}</bdi>
                </td>
                <td>{roleNames(invitation.roles)}</td>
                <td>{t('statusName', { status: invitation.status })}</td>
                <td>
                  <When value={invitation.expires_at} />
                </td>
                {manage && (
                  <td class="row-actions">
                    {invitation.status === 'pending' && (
                      <button type="button" class="secondary" disabled={revoke.busy} onClick={() => void revoke.run(invitation.id)}>
                        {t('revoke')}
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </Table>
        )}
      </LoadedList>
    </section>
  );
}
