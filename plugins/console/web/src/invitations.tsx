import { useState } from 'preact/hooks';
import { call } from './api';
import { LoadedList, Table } from './list';
import { RolePicker, roleNames, useRoles } from './members';
import { useTenant } from './session';
import { CopyButton, ErrorBanner, errorsFor, Form, Loading, PageHeader, Submit, TextInput, useAction, useLoad, When } from './ui';

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
      <PageHeader title="Invitations" />
      {manage && (
        <Form class="panel" noValidate onSubmit={invite.run}>
          <h2>Invite someone</h2>
          <ErrorBanner error={invite.error} placed={['email', 'roles']} />
          <TextInput id="invite-email" label="Email" type="email" value={email} onInput={setEmail} required errors={errorsFor(invite.error, 'email')} />
          {roles.data ? <RolePicker roles={roles.data} selected={selected} onChange={setSelected} error={invite.error} /> : <Loading label="Loading roles…" />}
          <Submit busy={invite.busy}>Send invitation</Submit>
        </Form>
      )}
      {created?.accept_url && (
        <div class="banner success" role="status">
          <p>
            Invitation sent to <strong>{created.email}</strong>. Share this link with them (it works for 7 days, once):
          </p>
          <div class="copy-row">
            <input readOnly aria-label="Accept link" id="accept-link" value={created.accept_url} onFocus={(event) => event.currentTarget.select()} />
            <CopyButton text={created.accept_url} label="Copy link" />
          </div>
        </div>
      )}
      <h2>Pending</h2>
      <ErrorBanner error={revoke.error} />
      <LoadedList list={invitations} items={invitations.data?.data} empty="No pending invitation.">
        {(items) => (
          <Table columns={['Email', 'Roles', 'Status', 'Expires']} actions={manage}>
            {items.map((invitation) => (
              <tr key={invitation.id}>
                <td>{invitation.email}</td>
                <td>{roleNames(invitation.roles)}</td>
                <td>{invitation.status}</td>
                <td>
                  <When value={invitation.expires_at} />
                </td>
                {manage && (
                  <td class="row-actions">
                    {invitation.status === 'pending' && (
                      <button type="button" class="secondary" disabled={revoke.busy} onClick={() => void revoke.run(invitation.id)}>
                        Revoke
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
