import { useState } from 'preact/hooks';
import { call, get } from './api';
import { formatIdentifiers } from './format';
import { defineMessages } from './i18n';
import { LoadedList, SearchForm, Table, usePagedList } from './list';
import { navigate, type Location } from './router';
import { tenantPath, useSession, useTenant } from './session';
import { Dialog, ErrorBanner, errorsFor, FieldNotes, Form, PageHeader, Pager, Submit, useAction, useLoad, When } from './ui';
import { UnitRoles } from './unit-roles';
import { unitText } from './units-messages';

const t = defineMessages({
  en: {
    roles: 'Roles',
    title: 'Members',
    invite: 'Invite someone',
    nameOrEmail: 'Name or email',
    noMatch: 'No member matches.',
    name: 'Name',
    email: 'Email',
    joined: 'Joined',
    editName: 'Edit {name}',
    edit: 'Edit',
    removeConfirm: 'Remove <strong>{name}</strong> from {tenant}? They lose access at once; their API tokens here stop working.',
    keep: 'Keep',
    removeName: 'Remove {name}',
    removeFromTenant: 'Remove from tenant…',
    saveRoles: 'Save roles',
  },
  ar: {
    roles: 'الأدوار',
    title: 'الأعضاء',
    invite: 'دعوة شخص',
    nameOrEmail: 'الاسم أو البريد الإلكتروني',
    noMatch: 'لا يوجد عضو مطابق.',
    name: 'الاسم',
    email: 'البريد الإلكتروني',
    joined: 'تاريخ الانضمام',
    editName: 'تعديل {name}',
    edit: 'تعديل',
    removeConfirm: 'إزالة <strong>{name}</strong> من {tenant}؟ سيفقد الوصول فورًا، وستتوقف رموز API الخاصة به هنا عن العمل.',
    keep: 'إبقاء',
    removeName: 'إزالة {name}',
    removeFromTenant: 'إزالة من مساحة العمل…',
    saveRoles: 'حفظ الأدوار',
  },
});

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
  /** Roles held in one organisation unit each. */
  unit_roles: UnitRole[];
}

interface UnitRole {
  id: string;
  role: { id: string; name: string };
  unit: { id: string; name: string };
}

/** Every role of the tenant (built-in and custom). */
export function useRoles(tenant: string) {
  return useLoad(() => get<Role[]>('/roles', { tenant, query: { per_page: 100 } }), [tenant]);
}

export type { Member, Role, UnitRole };

/** The names of a member's or an invitation's roles, as a list in the console's language (`a, b` / `a، b`). */
export function roleNames(roles: readonly { name: string }[]): string {
  return formatIdentifiers(roles.map((role) => role.name));
}

/** Checkboxes to pick roles by id. */
export function RolePicker({ roles, selected, onChange, error }: { roles: Role[]; selected: string[]; onChange(ids: string[]): void; error: unknown }) {
  const problems = errorsFor(error, 'roles');
  return (
    <fieldset class={`field choices${problems.length ? ' invalid' : ''}`}>
      <legend>{t('roles')}</legend>
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
      <FieldNotes errors={problems} />
    </fieldset>
  );
}

/** Members with their roles: search, change roles, remove. */
export function MembersPage({ location }: { location: Location }) {
  const tenant = useTenant();
  const { me } = useSession();
  const q = location.query.get('q') ?? '';
  const members = usePagedList<Member>('/members', location, { tenant: tenant.slug, query: { q } });
  const roles = useRoles(tenant.slug);
  const [editing, setEditing] = useState<Member>();
  const manage = tenant.can('core.members.manage');
  // A unit admin gives roles in her units (core.units.manage) without managing the tenant's members.
  const edit = manage || tenant.can('core.units.manage');
  const go = (next: { page?: number; q?: string }) => {
    const query = new URLSearchParams();
    const nextQ = next.q ?? q;
    if (nextQ) query.set('q', nextQ);
    if (next.page && next.page > 1) query.set('page', String(next.page));
    navigate(`${location.path}${query.size ? `?${query}` : ''}`);
  };
  return (
    <section>
      <PageHeader title={t('title')}>
        {manage && (
          <a class="button" href={tenantPath(tenant.slug, '/invitations')}>
            {t('invite')}
          </a>
        )}
      </PageHeader>
      <SearchForm value={q} placeholder={t('nameOrEmail')} onSearch={(value) => go({ q: value, page: 1 })} />
      <LoadedList list={members} items={members.data?.data} empty={t('noMatch')}>
        {(items) => (
          <Table columns={[t('name'), t('email'), t('roles'), t('joined')]} actions={edit}>
            {items.map((member) => (
              <tr key={member.user_id}>
                <td>{member.name}</td>
                <td>
                  <bdi>{member.email}</bdi>
                </td>
                <td>
                  {roleNames(member.roles)}
                  {member.unit_roles.map((held) => (
                    <div key={held.id} class="muted">
                      {unitText('roleInUnit', { role: held.role.name, unit: held.unit.name })}
                    </div>
                  ))}
                </td>
                <td>
                  <When value={member.joined_at} />
                </td>
                {edit && (
                  <td class="row-actions">
                    {member.user_id !== me.id && (
                      <button type="button" class="secondary" aria-label={t('editName', { name: member.name })} onClick={() => setEditing(member)}>
                        {t('edit')}
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </Table>
        )}
      </LoadedList>
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
          onChanged={(member) => {
            setEditing(member);
            members.reload();
          }}
        />
      )}
    </section>
  );
}

function MemberDialog(props: { member: Member; roles: Role[]; onClose(): void; onSaved(): void; onChanged(member: Member): void }) {
  const { member, roles, onClose, onSaved, onChanged } = props;
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
      {tenant.can('core.members.manage') && (
        <Form onSubmit={save.run}>
          <ErrorBanner error={save.error ?? remove.error} placed={['roles']} />
          <RolePicker roles={roles} selected={selected} onChange={setSelected} error={save.error} />
          {removing ? (
            <div class="banner warning" role="alert">
              <p>{t.rich('removeConfirm', { name: member.name, tenant: tenant.name, strong: (chunks: string[]) => <strong>{chunks}</strong> })}</p>
              <div class="dialog-actions">
                <button type="button" class="secondary" onClick={() => setRemoving(false)}>
                  {t('keep')}
                </button>
                <button type="button" class="danger" disabled={remove.busy} onClick={() => void remove.run()}>
                  {t('removeName', { name: member.name })}
                </button>
              </div>
            </div>
          ) : (
            <div class="dialog-actions">
              <button type="button" class="danger" onClick={() => setRemoving(true)}>
                {t('removeFromTenant')}
              </button>
              <Submit busy={save.busy}>{t('saveRoles')}</Submit>
            </div>
          )}
        </Form>
      )}
      {tenant.can('core.units.view') && <UnitRoles member={member} roles={roles} onChanged={onChanged} />}
    </Dialog>
  );
}
