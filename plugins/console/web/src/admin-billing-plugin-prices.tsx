/**
 * Plugin prices (a section of the host's Plans screen): each installed tenant plugin with its add-on prices; a
 * dialog sets them, another stops selling the plugin.
 */
import { useState } from 'preact/hooks';
import { ApiError, call, get } from './api';
import { billingAdminText as t } from './admin-billing-messages';
import { priceDrafts, pricesFrom, type PluginPrice, type PriceDraft } from './admin-billing-model';
import { PriceList, PriceRows } from './admin-billing-prices';
import { LoadedList, Table } from './list';
import { pluginTitle } from './plugin-text';
import { Dialog, DialogActions, ErrorBanner, Form, useAction, useLoad } from './ui';

/** An installed plugin as `GET /admin/plugins` reports it (what this section reads of it). */
export interface InstalledPlugin {
  name: string;
  title: string;
  scope: 'tenant' | 'host';
}

/** The tenant plugins the host runs (host plugins are nobody's to enable, so never sold). */
export function useTenantPlugins() {
  return useLoad(async () => (await get<InstalledPlugin[]>('/admin/plugins')).filter((plugin) => plugin.scope === 'tenant'), []);
}

/** The API's problems when the form found none: the rows' errors keyed as the form keys them. */
function problemsOf(error: unknown, own: Record<string, string[]>): Record<string, string[]> {
  return Object.keys(own).length > 0 ? own : error instanceof ApiError ? error.errors : {};
}

/** The section: plugins, their prices, and the dialogs. */
export function PluginPricesSection() {
  const plugins = useTenantPlugins();
  const prices = useLoad(() => get<PluginPrice[]>('/admin/billing/plugin-prices'), []);
  const [editing, setEditing] = useState<InstalledPlugin>();
  const [removing, setRemoving] = useState<InstalledPlugin>();
  const [outcome, setOutcome] = useState<string>();
  const priced = (name: string) => prices.data?.find((entry) => entry.plugin === name)?.prices ?? [];
  const done = (message: string) => {
    setEditing(undefined);
    setRemoving(undefined);
    setOutcome(message);
    prices.reload();
  };
  const remove = useAction(async () => {
    if (!removing) return;
    await call('DELETE', `/admin/billing/plugin-prices/${encodeURIComponent(removing.name)}`);
    done(t('removeDone', { plugin: pluginTitle(removing) }));
  });
  return (
    <section class="billing-addons" aria-labelledby="plugin-prices-title">
      <h2 id="plugin-prices-title">{t('addonsTitle')}</h2>
      <p class="muted">{t('addonsHelp')}</p>
      {outcome && (
        <p class="banner success" role="status">
          {outcome}
        </p>
      )}
      <ErrorBanner error={prices.error} />
      <LoadedList list={plugins} items={plugins.data} empty={t('noInstalledPlugin')}>
        {(items) => (
          <Table actions columns={[t('plugin'), t('addonPrices')]}>
            {items.map((plugin) => {
              const current = priced(plugin.name);
              const title = pluginTitle(plugin);
              return (
                <tr key={plugin.name} data-plugin={plugin.name}>
                  <td>
                    <strong>{title}</strong> <code>{plugin.name}</code>
                  </td>
                  <td data-label={t('addonPrices')}>
                    <PriceList prices={current} empty={t('notSold')} />
                  </td>
                  <td class="row-actions">
                    <div class="billing-row-actions">
                      <button
                        type="button"
                        class="secondary"
                        aria-label={current.length > 0 ? t('editPricesOf', { plugin: title }) : t('setPricesOf', { plugin: title })}
                        onClick={() => {
                          setOutcome(undefined);
                          setEditing(plugin);
                        }}
                      >
                        {current.length > 0 ? t('editPrices') : t('setPrices')}
                      </button>
                      {current.length > 0 && (
                        <button
                          type="button"
                          class="danger-link"
                          aria-label={t('removePricesOf', { plugin: title })}
                          onClick={() => {
                            setOutcome(undefined);
                            remove.setError(undefined);
                            setRemoving(plugin);
                          }}
                        >
                          {t('removePrices')}
                        </button>
                      )}
                    </div>
                  </td>
                </tr>
              );
            })}
          </Table>
        )}
      </LoadedList>
      {editing && (
        <PricesDialog
          plugin={editing}
          prices={priced(editing.name)}
          onClose={() => setEditing(undefined)}
          onSaved={() => done(t('pricesSaved', { plugin: pluginTitle(editing) }))}
        />
      )}
      {removing && (
        <Dialog title={t('removeTitle', { plugin: pluginTitle(removing) })} onClose={() => setRemoving(undefined)}>
          <Form noValidate onSubmit={remove.run}>
            <ErrorBanner error={remove.error} />
            <p>{t('removeText')}</p>
            <DialogActions onCancel={() => setRemoving(undefined)} busy={remove.busy}>
              {t('removePrices')}
            </DialogActions>
          </Form>
        </Dialog>
      )}
    </section>
  );
}

/** Sets a plugin's add-on prices (at least one: no price is "Remove prices"). */
function PricesDialog(props: { plugin: InstalledPlugin; prices: PluginPrice['prices']; onClose(): void; onSaved(): void }) {
  const { plugin, prices, onClose, onSaved } = props;
  const [rows, setRows] = useState<PriceDraft[]>(() => (prices.length > 0 ? priceDrafts(prices) : []));
  const [problems, setProblems] = useState<Record<string, string[]>>({});
  const save = useAction(async () => {
    const words = { amount: (digits: number) => t('amountInvalid', { digits }), duplicate: t('duplicatePrice') };
    const read = pricesFrom(rows, words);
    if (read.prices.length === 0 && Object.keys(read.problems).length === 0) read.problems.prices = [t('atLeastOnePrice')];
    setProblems(read.problems);
    if (Object.keys(read.problems).length > 0) throw new ApiError(422, 'validation_failed', t('checkForm'), read.problems);
    await call('PUT', `/admin/billing/plugin-prices/${encodeURIComponent(plugin.name)}`, { body: { prices: read.prices } });
    onSaved();
  });
  const shown = problemsOf(save.error, problems);
  return (
    <Dialog title={t('pricesTitle', { plugin: pluginTitle(plugin) })} onClose={onClose}>
      <Form noValidate onSubmit={save.run}>
        <ErrorBanner error={save.error} placed={Object.keys(shown).filter((key) => key === 'prices' || key.startsWith('prices.'))} />
        <PriceRows id={`addon-${plugin.name}`} rows={rows} onRows={setRows} problems={shown} />
        <DialogActions onCancel={onClose} busy={save.busy}>
          {t('savePrices')}
        </DialogActions>
      </Form>
    </Dialog>
  );
}
