import { useState } from 'preact/hooks';
import { call, get } from './api';
import { defineMessages } from './i18n';
import { useRoles, type Role } from './members';
import { permits, useTenant, type PluginPermission } from './session';
import { LoadedList } from './list';
import { Dialog, DialogActions, ErrorBanner, errorsFor, FieldNotes, Form, Loading, PageHeader, TextInput, useAction, useLoad } from './ui';

const t = defineMessages({
  en: {
    everything: 'Everything in {plugin} (<code>{wildcard}</code>)',
    deleteConfirm: 'Delete the role {name}?',
    title: 'Roles',
    newRole: 'New role',
    noRole: 'No role.',
    builtin: 'Built-in',
    builtinRole: 'Built-in role',
    counts: '{members, plural, one {# member} other {# members}} · {permissions, plural, one {# permission} other {# permissions}}',
    permissions: 'Permissions',
    edit: 'Edit',
    delete: 'Delete',
    editName: 'Edit {name}',
    name: 'Name',
    description: 'Description',
    saveRole: 'Save role',
  },
  ar: {
    everything: 'كل ما في {plugin} (<code>{wildcard}</code>)',
    deleteConfirm: 'حذف الدور {name}؟',
    title: 'الأدوار',
    newRole: 'دور جديد',
    noRole: 'لا توجد أدوار.',
    builtin: 'مدمج',
    builtinRole: 'دور مدمج',
    counts:
      '{members, plural, zero {لا أعضاء} one {عضو واحد} two {عضوان} few {# أعضاء} many {# عضوًا} other {# عضو}} · {permissions, plural, zero {لا صلاحيات} one {صلاحية واحدة} two {صلاحيتان} few {# صلاحيات} many {# صلاحية} other {# صلاحية}}',
    permissions: 'الصلاحيات',
    edit: 'تعديل',
    delete: 'حذف',
    editName: 'تعديل {name}',
    name: 'الاسم',
    description: 'الوصف',
    saveRole: 'حفظ الدور',
  },
});

/** The permission catalogue of the tenant (core's and every enabled plugin's). */
export function useCatalogue(tenant: string) {
  return useLoad(() => get<PluginPermission[]>('/permissions', { tenant }), [tenant]);
}

/** Checkboxes for permissions, grouped by plugin, with a whole-plugin wildcard per group. */
export function PermissionPicker(props: {
  catalogue: PluginPermission[];
  selected: string[];
  onChange(next: string[]): void;
  error: unknown;
  allowed?: string[];
}) {
  const { catalogue, selected, onChange, error, allowed } = props;
  const groups = new Map<string, PluginPermission[]>();
  for (const permission of catalogue) {
    if (allowed && !permits(allowed, permission.name)) continue;
    const plugin = permission.name.split('.')[0]!;
    groups.set(plugin, [...(groups.get(plugin) ?? []), permission]);
  }
  const toggle = (name: string, on: boolean) => onChange(on ? [...selected, name] : selected.filter((item) => item !== name));
  const problems = errorsFor(error, 'permissions');
  return (
    <div class={`permission-picker${problems.length ? ' invalid' : ''}`}>
      {[...groups].map(([plugin, permissions]) => {
        const wildcard = `${plugin}.*`;
        const whole = selected.includes(wildcard);
        return (
          <fieldset key={plugin} class="permission-group">
            <legend>{plugin}</legend>
            <label class="wildcard">
              <input type="checkbox" checked={whole} onChange={(event) => toggle(wildcard, event.currentTarget.checked)} />{' '}
              {t.rich('everything', { plugin, wildcard, code: (chunks: string[]) => <code>{chunks}</code> })}
            </label>
            {permissions.map((permission) => (
              <label key={permission.name}>
                <input
                  type="checkbox"
                  value={permission.name}
                  checked={whole || selected.includes(permission.name)}
                  disabled={whole}
                  onChange={(event) => toggle(permission.name, event.currentTarget.checked)}
                />{' '}
                <code>{permission.name}</code> <span class="muted">{permission.description}</span>
              </label>
            ))}
          </fieldset>
        );
      })}
      <FieldNotes errors={problems} />
    </div>
  );
}

/** Built-in and custom roles; custom ones can be created, edited and deleted. */
export function RolesPage() {
  const tenant = useTenant();
  const roles = useRoles(tenant.slug);
  const [editing, setEditing] = useState<Role | 'new'>();
  const manage = tenant.can('core.roles.manage');
  const remove = useAction(async (role: Role) => {
    if (!window.confirm(t('deleteConfirm', { name: role.name }))) return;
    await call('DELETE', `/roles/${role.id}`, { tenant: tenant.slug });
    roles.reload();
  });
  return (
    <section>
      <PageHeader title={t('title')}>
        {manage && (
          <button type="button" onClick={() => setEditing('new')}>
            {t('newRole')}
          </button>
        )}
      </PageHeader>
      <ErrorBanner error={remove.error} />
      <LoadedList list={roles} items={roles.data} empty={t('noRole')}>
        {(items) => (
          <ul class="cards">
            {items.map((role) => (
              <li class="card" key={role.id}>
                <div class="card-head">
                  <h2>{role.name}</h2>
                  {role.builtin && <span class="badge">{t('builtin')}</span>}
                </div>
                {role.description && <p>{role.builtin && role.description === 'Built-in role' ? t('builtinRole') : role.description}</p>}
                <p class="muted">{t('counts', { members: role.member_count, permissions: role.permissions.length })}</p>
                <details>
                  <summary>{t('permissions')}</summary>
                  <ul class="permission-list">
                    {role.permissions.map((permission) => (
                      <li key={permission}>
                        <code>{permission}</code>
                      </li>
                    ))}
                  </ul>
                </details>
                {manage && !role.builtin && (
                  <div class="card-actions">
                    <button type="button" class="secondary" onClick={() => setEditing(role)}>
                      {t('edit')}
                    </button>
                    <button type="button" class="danger-link" onClick={() => void remove.run(role)}>
                      {t('delete')}
                    </button>
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </LoadedList>
      {editing && (
        <RoleDialog
          role={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
          onSaved={() => {
            setEditing(undefined);
            roles.reload();
          }}
        />
      )}
    </section>
  );
}

function RoleDialog({ role, onClose, onSaved }: { role: Role | undefined; onClose(): void; onSaved(): void }) {
  const tenant = useTenant();
  const catalogue = useCatalogue(tenant.slug);
  const [name, setName] = useState(role?.name ?? '');
  const [description, setDescription] = useState(role?.description ?? '');
  const [permissions, setPermissions] = useState<string[]>(role?.permissions ?? []);
  const { busy, error, run } = useAction(async () => {
    const body = { name, permissions, ...(description ? { description } : {}) };
    if (role) await call('PATCH', `/roles/${role.id}`, { tenant: tenant.slug, body });
    else await call('POST', '/roles', { tenant: tenant.slug, body });
    onSaved();
  });
  return (
    <Dialog title={role ? t('editName', { name: role.name }) : t('newRole')} onClose={onClose}>
      <Form noValidate onSubmit={run}>
        <ErrorBanner error={error} placed={['name', 'description', 'permissions']} />
        <TextInput id="role-name" label={t('name')} value={name} onInput={setName} required errors={errorsFor(error, 'name')} />
        <TextInput id="role-description" label={t('description')} value={description} onInput={setDescription} errors={errorsFor(error, 'description')} />
        {catalogue.data ? (
          <PermissionPicker catalogue={catalogue.data} selected={permissions} onChange={setPermissions} error={error} allowed={tenant.permissions} />
        ) : catalogue.error ? (
          <ErrorBanner error={catalogue.error} />
        ) : (
          <Loading />
        )}
        <DialogActions onCancel={onClose} busy={busy}>
          {t('saveRole')}
        </DialogActions>
      </Form>
    </Dialog>
  );
}
