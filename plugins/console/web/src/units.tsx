/**
 * The tenant's organisation units as a tree: add, rename, change kind, move (drag a unit onto another, or "Move to…"
 * with the keyboard), delete (moving the records a unit still holds to another unit first).
 */
import { useState } from 'preact/hooks';
import { useDropOnto } from '../../../../web-kit/sortable';
import { call } from './api';
import { Icon } from './icons';
import { useTenant } from './session';
import { ErrorBanner, Loading, PageHeader, useAction, useLoad } from './ui';
import { DeleteUnitDialog, MoveUnitDialog, UnitDialog } from './units-dialogs';
import { loadUnits, unitsWhere, unitTree, type Unit } from './units-data';
import { unitText as t } from './units-messages';
import './units.css';

type Open = { kind: 'add' } | { kind: 'edit' | 'move' | 'delete'; unit: Unit };

interface TreeActions {
  /** Whether the user may change the unit (and so drag it, or drop onto it). */
  may(unit: Unit): boolean;
  tree: Map<string, Unit[]>;
  open(dialog: Open): void;
  /** A unit dropped onto another. */
  drop(unitId: string, parentId: string): void;
}

export function UnitsPage() {
  const tenant = useTenant();
  const units = useLoad(() => loadUnits(tenant.slug), [tenant.slug]);
  const manage = tenant.can('core.units.manage');
  const [dialog, setDialog] = useState<Open>();
  const [said, setSaid] = useState<string>();
  const byId = new Map((units.data ?? []).map((unit) => [unit.id, unit]));
  const tree = unitTree(units.data ?? []);
  // A unit-scoped manager changes the units of her roles and those below them only; the others are shown, untouchable.
  const choices = { units: units.data ?? [], managed: unitsWhere(tenant, tree, 'core.units.manage') };
  const may = (unit: Unit) => manage && (!choices.managed || choices.managed.has(unit.id));
  /** Moves a unit under another (or to the top level) and says so; throws the API's refusal (`unit_cycle`). */
  const moveUnit = async (unitId: string, parentId: string | null): Promise<string | undefined> => {
    const unit = byId.get(unitId);
    if (!unit || unit.parent_id === parentId) return undefined;
    await call('PATCH', `/units/${unit.id}`, { tenant: tenant.slug, body: { parent_id: parentId } });
    const parent = parentId ? byId.get(parentId) : undefined;
    return parent ? t('moved', { name: unit.name, parent: parent.name }) : t('movedTop', { name: unit.name });
  };
  const done = (message: string | undefined) => {
    setDialog(undefined);
    setSaid(message);
    units.reload();
  };
  const drag = useAction(async (unitId: string, parentId: string | null) => {
    setSaid(undefined);
    done(await moveUnit(unitId, parentId));
  });
  const actions: TreeActions = { may, tree, open: setDialog, drop: (unitId, parentId) => void drag.run(unitId, parentId) };
  return (
    <section class="units-page">
      <PageHeader title={t('title')}>
        {manage && (
          <button type="button" onClick={() => setDialog({ kind: 'add' })}>
            <Icon name="plus" /> {t('addUnit')}
          </button>
        )}
      </PageHeader>
      <p class="muted">{t('intro', { tenant: tenant.name })}</p>
      {manage && (tree.get('')?.length ?? 0) > 0 && (
        <p class="muted" id="units-drag-hint">
          {t('dragHint')}
        </p>
      )}
      <p class={said ? 'banner success' : 'visually-hidden'} role="status">
        {said}
      </p>
      <ErrorBanner error={drag.error ?? units.error} />
      {units.data === undefined ? (
        !units.error && <Loading />
      ) : units.data.length === 0 ? (
        <p class="empty">{t('empty')}</p>
      ) : (
        <UnitList parentId="" label={t('tree', { tenant: tenant.name })} actions={actions} />
      )}
      {dialog?.kind === 'add' && <UnitDialog choices={choices} onClose={() => setDialog(undefined)} onDone={done} />}
      {dialog?.kind === 'edit' && <UnitDialog unit={dialog.unit} choices={choices} onClose={() => setDialog(undefined)} onDone={done} />}
      {dialog?.kind === 'move' && (
        <MoveUnitDialog
          unit={dialog.unit}
          choices={choices}
          onClose={() => setDialog(undefined)}
          onMove={(parentId) => moveUnit(dialog.unit.id, parentId)}
          onDone={done}
        />
      )}
      {dialog?.kind === 'delete' && <DeleteUnitDialog unit={dialog.unit} choices={choices} tree={tree} onClose={() => setDialog(undefined)} onDone={done} />}
    </section>
  );
}

/**
 * The units under a parent (the top: the tree itself), each with its row and the units below it. Every list of the
 * tree is a drag area of one group: a unit dragged by its handle onto another unit's row moves under that unit.
 */
function UnitList({ parentId, label, actions }: { parentId: string; label?: string; actions: TreeActions }) {
  const list = useDropOnto<HTMLUListElement>({
    handle: '.unit-drag',
    group: 'units',
    onDrop: (dragged, target) => actions.drop(dragged.dataset.unit!, target.dataset.unit!),
  });
  return (
    <ul ref={list} class={parentId ? 'unit-children' : 'units-tree'} aria-label={label}>
      {(actions.tree.get(parentId) ?? []).map((unit) => (
        <li key={unit.id} class="unit" data-unit={unit.id}>
          <div class="unit-row" data-drop={actions.may(unit) ? t('dropHere', { name: unit.name }) : undefined}>
            {actions.may(unit) && (
              <span class="unit-drag" title={t('dragName', { name: unit.name })} aria-hidden="true">
                ⠿
              </span>
            )}
            <span class="unit-name">{unit.name}</span>
            <span class="badge">{unit.kind}</span>
            {unit.children > 0 && <span class="muted unit-count">{t('below', { count: unit.children })}</span>}
            {actions.may(unit) && (
              <span class="unit-actions">
                <button
                  type="button"
                  class="secondary small"
                  aria-label={t('editName', { name: unit.name })}
                  onClick={() => actions.open({ kind: 'edit', unit })}
                >
                  {t('edit')}
                </button>
                <button
                  type="button"
                  class="secondary small"
                  aria-label={t('moveName', { name: unit.name })}
                  onClick={() => actions.open({ kind: 'move', unit })}
                >
                  {t('moveTo')}
                </button>
                <button
                  type="button"
                  class="danger-link small"
                  aria-label={t('deleteName', { name: unit.name })}
                  onClick={() => actions.open({ kind: 'delete', unit })}
                >
                  {t('delete')}
                </button>
              </span>
            )}
          </div>
          {actions.tree.has(unit.id) && <UnitList parentId={unit.id} actions={actions} />}
        </li>
      ))}
    </ul>
  );
}
