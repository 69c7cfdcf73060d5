import { useState } from 'preact/hooks';
import { call, get } from './api';
import { navigate, type Location } from './router';
import { tenantPath, useSession, useTenant } from './session';
import { CopyButton, Dialog, Empty, errorsFor, ErrorBanner, Loading, PageHeader, Pager, Submit, TextInput, useAction, useLoad, When } from './ui';

interface Role {
  id: string;
  name: string;
  description: string | null;
  builtin: boolean;
  permissions: string[];
  member_count: number;
}

interface Member {
  user_id: string;
  email: string;
  name: string;
  joined_at: string;
  roles: { id: string; name: string }[];
}

interface Invitation {
  id: string;
  email: string;
  status: string;
  expires_at: string;
  created_at: string;
  roles: { id: string; name: string }[];
  accept_url?: string;
}

/** Every role of the tenant (built-in and custom). */
export function useRoles(tenant: string) {
  return useLoad(() => get<Role[]>('/roles', { tenant, query: { per_page: 100 } }), [tenant]);
}

export type { Role };

/** Checkboxes to pick roles by id. */
function RolePicker({ roles, selected, onChange, error }: { roles: Role[]; selected: string[]; onChange(ids: string[]): void; error: unknown }) {
  const problems = errorsFor(error, 'roles');
  return (
    <fieldset class={`field choices${problems.length ? ' invalid' : ''}`}>
      <legend>Roles</legend>
      {roles.map((role) => (
        <label key={role.id}>
          <input
            type="checkbox"
            name="roles"
            value={role.name}
            checked={selected.includes(role.id)}
            onChange={(event) => onChange(event.currentTarget.checked ? [...selected, role.id] : selected.filter((id) => id !== role.id))}
          />{' '}
          {role.name} {role.description && role.description !== 'Built-in role' && <span class="muted">— {role.description}</span>}
        </label>
      ))}
      {problems.length > 0 && <small class="field-error">{problems.join('; ')}</small>}
    </fieldset>
  );
}

/** Members with their roles: search, change roles, remove. */
export function MembersPage({ location }: { location: Location }) {
  const tenant = useTenant();
  const { me } = useSession();
  const page = Number(location.query.get('page') ?? 1) || 1;
  const q = location.query.get('q') ?? '';
  const [search, setSearch] = useState(q);
  const members = useLoad(() => call<Member[]>('GET', '/members', { tenant: tenant.slug, query: { page, q } }), [tenant.slug, page, q, location.key]);
  const roles = useRoles(tenant.slug);
  const [editing, setEditing] = useState<Member>();
  const manage = tenant.can('core.members.manage');
  const go = (next: { page?: number; q?: string }) => {
    const query = new URLSearchParams();
    const nextQ = next.q ?? q;
    if (nextQ) query.set('q', nextQ);
    if (next.page && next.page > 1) query.set('page', String(next.page));
    navigate(`${location.path}${query.size ? `?${query}` : ''}`);
  };
  return (
    <section>
      <PageHeader title="Members">
        {manage && (
          <a class="button" href={tenantPath(tenant.slug, '/invitations')}>
            Invite someone
          </a>
        )}
      </PageHeader>
      <form
        class="toolbar"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          go({ q: search, page: 1 });
        }}
      >
        <label>
          Search <input type="search" value={search} placeholder="Name or email" onInput={(event) => setSearch(event.currentTarget.value)} />
        </label>
        <button type="submit">Search</button>
      </form>
      {members.loading && !members.data ? (
        <Loading />
      ) : members.error ? (
        <ErrorBanner error={members.error} />
      ) : members.data?.data.length === 0 ? (
        <Empty>No member matches.</Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Roles</th>
                <th scope="col">Joined</th>
                {manage && (
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {members.data?.data.map((member) => (
                <tr key={member.user_id}>
                  <td>{member.name}</td>
                  <td>{member.email}</td>
                  <td>{member.roles.map((role) => role.name).join(', ')}</td>
                  <td>
                    <When value={member.joined_at} />
                  </td>
                  {manage && (
                    <td class="row-actions">
                      {member.user_id !== me.id && (
                        <button type="button" class="secondary" aria-label={`Edit ${member.name}`} onClick={() => setEditing(member)}>
                          Edit
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager pagination={members.data?.pagination} onPage={(next) => go({ page: next })} />
      {editing && roles.data && (
        <MemberDialog
          member={editing}
          roles={roles.data}
          onClose={() => setEditing(undefined)}
          onSaved={() => {
            setEditing(undefined);
            members.reload();
          }}
        />
      )}
    </section>
  );
}

function MemberDialog({ member, roles, onClose, onSaved }: { member: Member; roles: Role[]; onClose(): void; onSaved(): void }) {
  const tenant = useTenant();
  const [selected, setSelected] = useState(member.roles.map((role) => role.id));
  const [removing, setRemoving] = useState(false);
  const save = useAction(async () => {
    await call('PATCH', `/members/${member.user_id}`, { tenant: tenant.slug, body: { roles: selected } });
    onSaved();
  });
  const remove = useAction(async () => {
    await call('DELETE', `/members/${member.user_id}`, { tenant: tenant.slug });
    onSaved();
  });
  return (
    <Dialog title={member.name} onClose={onClose}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void save.run();
        }}
      >
        <ErrorBanner error={save.error ?? remove.error} placed={['roles']} />
        <RolePicker roles={roles} selected={selected} onChange={setSelected} error={save.error} />
        {removing ? (
          <div class="banner warning" role="alert">
            <p>
              Remove <strong>{member.name}</strong> from {tenant.name}? They lose access at once; their API tokens here stop working.
            </p>
            <div class="dialog-actions">
              <button type="button" class="secondary" onClick={() => setRemoving(false)}>
                Keep
              </button>
              <button type="button" class="danger" disabled={remove.busy} onClick={() => void remove.run()}>
                Remove {member.name}
              </button>
            </div>
          </div>
        ) : (
          <div class="dialog-actions">
            <button type="button" class="danger" onClick={() => setRemoving(true)}>
              Remove from tenant…
            </button>
            <Submit busy={save.busy}>Save roles</Submit>
          </div>
        )}
      </form>
    </Dialog>
  );
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
        <form
          class="panel"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void invite.run();
          }}
        >
          <h2>Invite someone</h2>
          <ErrorBanner error={invite.error} placed={['email', 'roles']} />
          <TextInput id="invite-email" label="Email" type="email" value={email} onInput={setEmail} required errors={errorsFor(invite.error, 'email')} />
          {roles.data ? <RolePicker roles={roles.data} selected={selected} onChange={setSelected} error={invite.error} /> : <Loading label="Loading roles…" />}
          <Submit busy={invite.busy}>Send invitation</Submit>
        </form>
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
      {invitations.loading && !invitations.data ? (
        <Loading />
      ) : invitations.error ? (
        <ErrorBanner error={invitations.error} />
      ) : invitations.data?.data.length === 0 ? (
        <Empty>No pending invitation.</Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Roles</th>
                <th scope="col">Status</th>
                <th scope="col">Expires</th>
                {manage && (
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {invitations.data?.data.map((invitation) => (
                <tr key={invitation.id}>
                  <td>{invitation.email}</td>
                  <td>{invitation.roles.map((role) => role.name).join(', ')}</td>
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
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
