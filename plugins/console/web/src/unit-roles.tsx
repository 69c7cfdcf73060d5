/** A member's roles in organisation units: listed with the unit's path, added with a role and a unit, removed. */
import { useState } from 'preact/hooks';
import { call, get } from './api';
import type { RefOptions } from './fields/model';
import { RefPicker } from './fields/ref-picker';
import { useRefNames } from './fields/ref-names';
import type { Member, Role, UnitRole } from './members';
import { useTenant } from './session';
import { ErrorBanner, errorsFor, Field, Form, useAction } from './ui';
import { unitText as t } from './units-messages';
import './units.css';

/** Units as a reference (what `UnitRef()` declares): searched by `q`, shown by their path. */
const unitRef: RefOptions = { resource: '/units', label: 'label' };

/** Roles that may be held in a unit: the owner's applies to the whole tenant, and customers are not staff. */
const inUnits = (role: Role) => !(role.builtin && (role.name === 'owner' || role.name === 'customer'));

export function UnitRoles({ member, roles, onChanged }: { member: Member; roles: Role[]; onChanged(member: Member): void }) {
  const tenant = useTenant();
  const [roleId, setRoleId] = useState('');
  const [unitId, setUnitId] = useState('');
  const names = useRefNames(
    tenant.slug,
    unitRef,
    member.unit_roles.map((held) => held.unit.id),
  );
  // The unit's path once known (`College › Department`), its name until then.
  const unitLabel = (held: UnitRole) => {
    const known = names.choice(held.unit.id).label;
    return known === held.unit.id ? held.unit.name : known;
  };
  const add = useAction(async () => {
    const { data } = await call<Member>('POST', `/members/${member.user_id}/unit-roles`, { tenant: tenant.slug, body: { role_id: roleId, unit_id: unitId } });
    setRoleId('');
    setUnitId('');
    onChanged(data);
  });
  const remove = useAction(async (held: UnitRole) => {
    await call('DELETE', `/members/${member.user_id}/unit-roles/${held.id}`, { tenant: tenant.slug });
    onChanged(await get<Member>(`/members/${member.user_id}`, { tenant: tenant.slug }));
  });
  const manage = tenant.can('core.units.manage');
  const unitErrors = errorsFor(add.error, 'unit_id');
  return (
    <section class="unit-roles" aria-labelledby="unit-roles-title">
      <h3 id="unit-roles-title">{t('unitRoles')}</h3>
      <p class="muted">{t('unitRolesHint')}</p>
      <ErrorBanner error={remove.error} />
      {member.unit_roles.length === 0 ? (
        <p>{t('noUnitRoles')}</p>
      ) : (
        <ul class="unit-role-list">
          {member.unit_roles.map((held) => (
            <li key={held.id}>
              <span>{t('roleInUnit', { role: held.role.name, unit: unitLabel(held) })}</span>
              {manage && (
                <button
                  type="button"
                  class="danger-link small"
                  aria-label={t('removeRole', { role: held.role.name, unit: held.unit.name })}
                  disabled={remove.busy}
                  onClick={() => void remove.run(held)}
                >
                  {t('remove')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {manage && (
        <Form onSubmit={add.run} class="unit-role-add">
          <ErrorBanner error={add.error} placed={['role_id', 'unit_id']} />
          <Field id="unit-role-role" label={t('role')} errors={errorsFor(add.error, 'role_id')}>
            <select id="unit-role-role" value={roleId} onChange={(event) => setRoleId(event.currentTarget.value)}>
              <option value="">{t('chooseRole')}</option>
              {roles.filter(inUnits).map((role) => (
                <option key={role.id} value={role.id}>
                  {role.name}
                </option>
              ))}
            </select>
          </Field>
          <Field id="unit-role-unit" label={t('unit')} errors={unitErrors}>
            <RefPicker
              id="unit-role-unit"
              label={t('unit')}
              reference={unitRef}
              multiple={false}
              value={unitId}
              onValue={(value) => setUnitId(String(value))}
              invalid={unitErrors.length > 0}
              describedBy={unitErrors.length > 0 ? 'unit-role-unit-error' : undefined}
              required
            />
          </Field>
          <div class="dialog-actions">
            <button type="submit" class="secondary" disabled={add.busy || !roleId || !unitId} aria-busy={add.busy ? 'true' : undefined}>
              {t('addRole')}
            </button>
          </div>
        </Form>
      )}
    </section>
  );
}
