import { useState } from 'preact/hooks';
import { get } from './api';
import { auditText as t } from './audit-messages';
import type { Location } from './router';
import { useTenant } from './session';
import { Form, useLoad } from './ui';
import { loadUnits } from './units-data';

/** The query parameters each audit log takes (the API's names), as the page's address carries them. */
export const tenantFilterNames = ['action', 'actor_user_id', 'target_type', 'target_id', 'unit', 'from', 'to'] as const;
export const hostFilterNames = ['action', 'from', 'to'] as const;

type Filters = Record<string, string>;

/** The filters set in the address, among `names`. */
export function auditQueryOf(location: Location, names: readonly string[]): Filters {
  return Object.fromEntries(names.flatMap((name) => (location.query.get(name) ? [[name, location.query.get(name)!]] : [])));
}

/**
 * The audit log's filters: the action (or a prefix) at hand, the rest (who, target, unit, time) folded away until
 * used. Typed values apply on Filter (or Enter), choices at once.
 */
export function AuditFilterForm({ tenant, values, onApply }: { tenant: string | undefined; values: Filters; onApply(filters: Filters): void }) {
  const [drafts, setDrafts] = useState<Filters>(values);
  const set = (name: string, value: string) => setDrafts((current) => ({ ...current, [name]: value }));
  const choose = (name: string, value: string) => {
    set(name, value);
    onApply({ ...drafts, [name]: value });
  };
  const folded = Object.keys(values).filter((name) => name !== 'action').length;
  const text = (name: string, label: string, placeholder?: string) => (
    <label>
      {label} <input name={name} value={drafts[name] ?? ''} placeholder={placeholder} onInput={(event) => set(name, event.currentTarget.value)} />
    </label>
  );
  const date = (name: string, label: string) => (
    <label>
      {label} <input type="date" name={name} value={drafts[name] ?? ''} onChange={(event) => choose(name, event.currentTarget.value)} />
    </label>
  );
  return (
    <Form class="toolbar" role="search" onSubmit={() => onApply(drafts)}>
      {text('action', t('action'), t('actionExample'))}
      <details class="filters" open={folded > 0}>
        <summary>{folded > 0 ? t('filtersOn', { count: folded }) : t('filters')}</summary>
        <div class="toolbar">
          {tenant && <TenantChoices tenant={tenant} drafts={drafts} onChoose={choose} />}
          {tenant && text('target_type', t('targetType'), t('targetTypeExample'))}
          {tenant && text('target_id', t('targetId'))}
          {date('from', t('since'))}
          {date('to', t('until'))}
        </div>
      </details>
      <button type="submit">{t('filter')}</button>
      {Object.keys(values).length > 0 && (
        <button
          type="button"
          class="secondary"
          onClick={() => {
            setDrafts({});
            onApply({});
          }}
        >
          {t('clear')}
        </button>
      )}
    </Form>
  );
}

interface MemberChoice {
  user_id: string;
  email: string;
  name: string;
}

/** Who (the tenant's members) and which unit (with the units below it), for callers who may list them. */
function TenantChoices({ tenant, drafts, onChoose }: { tenant: string; drafts: Filters; onChoose(name: string, value: string): void }) {
  const session = useTenant();
  const members = useLoad(
    () => (session.can('core.members.view') ? get<MemberChoice[]>('/members', { tenant, query: { per_page: 100 } }) : Promise.resolve([])),
    [tenant],
  );
  const units = useLoad(() => (session.can('core.units.view') ? loadUnits(tenant) : Promise.resolve([])), [tenant]);
  return (
    <>
      {(members.data?.length ?? 0) > 0 && (
        <label>
          {t('actor')}{' '}
          <select name="actor_user_id" value={drafts.actor_user_id ?? ''} onChange={(event) => onChoose('actor_user_id', event.currentTarget.value)}>
            <option value="">{t('anyone')}</option>
            {members.data!.map((member) => (
              <option key={member.user_id} value={member.user_id}>
                {member.name ? `${member.name} <${member.email}>` : member.email}
              </option>
            ))}
          </select>
        </label>
      )}
      {(units.data?.length ?? 0) > 0 && (
        <label>
          {t('unit')}{' '}
          <select name="unit" value={drafts.unit ?? ''} onChange={(event) => onChoose('unit', event.currentTarget.value)}>
            <option value="">{t('anyUnit')}</option>
            {units.data!.map((unit) => (
              <option key={unit.id} value={unit.id}>
                {unit.label}
              </option>
            ))}
          </select>
        </label>
      )}
    </>
  );
}
