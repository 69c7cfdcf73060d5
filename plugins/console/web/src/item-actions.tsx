import type { ItemAction } from './openapi';
import { pluginOf, pluginText } from './plugin-text';
import { useTenant } from './session';

/** A button for each of a screen's actions (an export, a POST on a record) that the member may run. */
export function ItemActionButtons({ actions, busy, onRun }: { actions: readonly ItemAction[]; busy: boolean; onRun(action: ItemAction): void }) {
  const tenant = useTenant();
  return (
    <>
      {actions
        .filter((action) => tenant.can(action.operation['x-permission']))
        .map((action) => (
          <button type="button" class="secondary" key={action.apiPath} disabled={busy} onClick={() => onRun(action)}>
            {pluginText(pluginOf(action.apiPath), action.label)}
          </button>
        ))}
    </>
  );
}
