/** Turning a plugin off for the tenant, and deleting its data once its name is typed. */
import { useState } from 'preact/hooks';
import { call, get } from './api';
import { TypeToConfirmDialog } from './confirm-dialog';
import { marketText } from './marketplace-messages';
import { pluginTitle } from './plugin-text';
import { useTenant, type MarketplaceEntry } from './session';
import { Dialog, ErrorBanner, useAction } from './ui';

export function DisableDialog({ plugin, onClose }: { plugin: MarketplaceEntry; onClose(): void }) {
  const tenant = useTenant();
  const { busy, error, run } = useAction(async () => {
    await call('POST', `/marketplace/${plugin.name}/disable`, { tenant: tenant.slug });
    await tenant.reload();
    onClose();
  });
  return (
    <Dialog title={marketText('disableTitle', { title: pluginTitle(plugin) })} onClose={onClose}>
      <ErrorBanner error={error} />
      <p>{marketText('disableText', { title: pluginTitle(plugin) })}</p>
      <p>
        <strong>{marketText('disableKeeps')}</strong>
      </p>
      <div class="dialog-actions">
        <button type="button" class="secondary" onClick={onClose}>
          {marketText('cancel')}
        </button>
        <button type="button" disabled={busy} onClick={() => void run()}>
          {marketText('disable')}
        </button>
      </div>
    </Dialog>
  );
}

/** Deletes the tenant's data of a disabled plugin once its name is typed; offers an export first. */
export function PurgeDialog({ plugin, onClose }: { plugin: MarketplaceEntry; onClose(): void }) {
  const tenant = useTenant();
  const [done, setDone] = useState(false);
  const { busy, error, run } = useAction(async () => {
    await call('DELETE', `/marketplace/${plugin.name}/data`, { tenant: tenant.slug, query: { confirm: plugin.name } });
    await tenant.reload();
    setDone(true);
  });
  const exporter = useAction(async () => {
    const data = await get(`/marketplace/${plugin.name}/data`, { tenant: tenant.slug });
    const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
    const link = Object.assign(document.createElement('a'), { href: url, download: `${tenant.slug}-${plugin.name}-export.json` });
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  });
  if (done)
    return (
      <Dialog title={marketText('purgeTitle', { title: pluginTitle(plugin) })} onClose={onClose}>
        <p class="banner success" role="status">
          {marketText('purgeDone', { title: pluginTitle(plugin) })}
        </p>
        <div class="dialog-actions">
          <button type="button" onClick={onClose}>
            {marketText('close')}
          </button>
        </div>
      </Dialog>
    );
  return (
    <TypeToConfirmDialog
      title={marketText('purgeTitle', { title: pluginTitle(plugin) })}
      name={plugin.name}
      action={marketText('purgeAction')}
      busy={busy}
      error={error ?? exporter.error}
      placed={['confirm']}
      onConfirm={run}
      onClose={onClose}
    >
      <p>{marketText('purgeText', { title: pluginTitle(plugin), tenant: tenant.name })}</p>
      <p>
        <button type="button" class="secondary" disabled={exporter.busy} onClick={() => void exporter.run()}>
          {marketText('downloadExport')}
        </button>
      </p>
    </TypeToConfirmDialog>
  );
}
