/** The units page's dialogs: add or edit a unit, move it, delete it (moving its records first when it holds some). */
import { useState } from 'preact/hooks';
import { ApiError, call } from './api';
import { useTenant } from './session';
import { Dialog, DialogActions, ErrorBanner, errorsFor, Field, Form, TextInput, useAction } from './ui';
import { subtreeOf, type Unit } from './units-data';

/** What a dialog knows of the tree: every unit, and those the user may change (`undefined`: all of them). */
export interface UnitChoices {
  units: readonly Unit[];
  managed: ReadonlySet<string> | undefined;
}

/** The units among `choices` the user may put things in or under, by path. */
function managedUnits({ units, managed }: UnitChoices): Unit[] {
  return units.filter((unit) => !managed || managed.has(unit.id)).sort((a, b) => a.label.localeCompare(b.label));
}

/** The top of the tree is for whole-tenant managers only: the option exists for them alone. */
const topLevel = (choices: UnitChoices) => (choices.managed ? undefined : t('topLevel'));
import { unitText as t } from './units-messages';

/** A `<select>` of units by their path (`College › Department`), leaving out `except`; `''` is `empty`'s option, if any. */
function UnitSelect(props: {
  id: string;
  label: string;
  units: readonly Unit[];
  value: string;
  onChange(value: string): void;
  empty?: string | undefined;
  except?: ReadonlySet<string>;
  errors?: string[];
}) {
  const { id, label, units, value, onChange, empty, except, errors = [] } = props;
  const choices = units.filter((unit) => !except?.has(unit.id));
  return (
    <Field id={id} label={label} errors={errors}>
      <select id={id} value={value} aria-invalid={errors.length > 0 ? 'true' : undefined} onChange={(event) => onChange(event.currentTarget.value)}>
        {empty !== undefined && <option value="">{empty}</option>}
        {choices.map((unit) => (
          <option key={unit.id} value={unit.id}>
            {unit.label}
          </option>
        ))}
      </select>
    </Field>
  );
}

/** Adds a unit (name, kind, where), or edits one's name and kind. */
export function UnitDialog({ unit, choices, onClose, onDone }: { unit?: Unit; choices: UnitChoices; onClose(): void; onDone(message: string): void }) {
  const tenant = useTenant();
  const [name, setName] = useState(unit?.name ?? '');
  const [kind, setKind] = useState(unit?.kind ?? '');
  const parents = managedUnits(choices);
  const [parentId, setParentId] = useState(choices.managed ? (parents[0]?.id ?? '') : '');
  // The tenant's own words for its units, offered as it types.
  const kinds = [...new Set(choices.units.map((candidate) => candidate.kind))].sort((a, b) => a.localeCompare(b));
  const { busy, error, run } = useAction(async () => {
    if (unit) {
      await call('PATCH', `/units/${unit.id}`, { tenant: tenant.slug, body: { name, kind } });
      onDone(t('saved', { name }));
    } else {
      await call('POST', '/units', { tenant: tenant.slug, body: { name, kind, ...(parentId ? { parent_id: parentId } : {}) } });
      onDone(t('added', { name }));
    }
  });
  const kindErrors = errorsFor(error, 'kind');
  return (
    <Dialog title={unit ? t('editName', { name: unit.name }) : t('addUnit')} onClose={onClose}>
      <Form noValidate onSubmit={run}>
        <ErrorBanner error={error} placed={['name', 'kind', 'parent_id']} />
        <TextInput id="unit-name" label={t('name')} value={name} onInput={setName} required errors={errorsFor(error, 'name')} />
        <Field id="unit-kind" label={t('kind')} hint={t('kindHint')} errors={kindErrors} required>
          <input
            id="unit-kind"
            list="unit-kinds"
            value={kind}
            required
            autoComplete="off"
            aria-invalid={kindErrors.length > 0 ? 'true' : undefined}
            aria-describedby={kindErrors.length > 0 ? 'unit-kind-error' : 'unit-kind-hint'}
            onInput={(event) => setKind(event.currentTarget.value)}
          />
          <datalist id="unit-kinds">
            {kinds.map((known) => (
              <option key={known} value={known} />
            ))}
          </datalist>
        </Field>
        {!unit && (
          <UnitSelect
            id="unit-parent"
            label={t('parent')}
            units={parents}
            value={parentId}
            onChange={setParentId}
            empty={topLevel(choices)}
            errors={errorsFor(error, 'parent_id')}
          />
        )}
        <DialogActions onCancel={onClose} busy={busy}>
          {unit ? t('saveUnit') : t('addUnit')}
        </DialogActions>
      </Form>
    </Dialog>
  );
}

/**
 * Moves a unit with the keyboard: every other unit is offered, including those below it, whose refusal by the API
 * (`unit_cycle`) is shown as it says it.
 */
export function MoveUnitDialog(props: {
  unit: Unit;
  choices: UnitChoices;
  onClose(): void;
  onMove(parentId: string | null): Promise<string | undefined>;
  onDone(message: string | undefined): void;
}) {
  const { unit, choices, onClose, onMove, onDone } = props;
  const [parentId, setParentId] = useState(unit.parent_id ?? '');
  const { busy, error, run } = useAction(async () => onDone(await onMove(parentId || null)));
  return (
    <Dialog title={t('moveTitle', { name: unit.name })} onClose={onClose}>
      <Form onSubmit={run}>
        <ErrorBanner error={error} placed={['parent_id']} />
        <UnitSelect
          id="unit-move-parent"
          label={t('moveUnder')}
          units={managedUnits(choices)}
          value={parentId}
          onChange={setParentId}
          empty={topLevel(choices)}
          except={new Set([unit.id])}
          errors={errorsFor(error, 'parent_id')}
        />
        <p class="muted">{t('moveHint', { name: unit.name })}</p>
        <DialogActions onCancel={onClose} busy={busy}>
          {t('move')}
        </DialogActions>
      </Form>
    </Dialog>
  );
}

/**
 * Deletes a unit; when it still holds records or role assignments (409 `unit_in_use`), asks where they go and deletes
 * with `reassign_to`.
 */
export function DeleteUnitDialog(props: { unit: Unit; choices: UnitChoices; tree: Map<string, Unit[]>; onClose(): void; onDone(message: string): void }) {
  const { unit, choices, tree, onClose, onDone } = props;
  const tenant = useTenant();
  const [inUse, setInUse] = useState(false);
  const [target, setTarget] = useState('');
  const { busy, error, run } = useAction(async () => {
    try {
      await call('DELETE', `/units/${unit.id}`, { tenant: tenant.slug, query: inUse ? { reassign_to: target } : {} });
      onDone(t('deleted', { name: unit.name }));
    } catch (caught) {
      // Records or role assignments can move; units below it cannot (the API's message says to move them first).
      if (caught instanceof ApiError && caught.code === 'unit_in_use' && !inUse && !caught.errors.children) return setInUse(true);
      throw caught;
    }
  });
  return (
    <Dialog title={t('deleteTitle', { name: unit.name })} onClose={onClose}>
      <Form onSubmit={run}>
        <ErrorBanner error={error} placed={['reassign_to', 'children']} />
        {inUse ? (
          <>
            <div class="banner warning" role="alert">
              <p>{t('inUse', { name: unit.name })}</p>
            </div>
            <UnitSelect
              id="unit-reassign"
              label={t('reassignTo')}
              units={managedUnits(choices)}
              value={target}
              onChange={setTarget}
              empty={t('choose')}
              except={subtreeOf(tree, unit.id)}
              errors={errorsFor(error, 'reassign_to')}
            />
          </>
        ) : (
          <p>{t('deleteText')}</p>
        )}
        <div class="dialog-actions">
          <button type="button" class="secondary" onClick={onClose}>
            {t('keep')}
          </button>
          <button type="submit" class="danger" disabled={busy || (inUse && !target)} aria-busy={busy ? 'true' : undefined}>
            {inUse ? t('reassign') : t('deleteUnit')}
          </button>
        </div>
      </Form>
    </Dialog>
  );
}
