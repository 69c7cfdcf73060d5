import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, call, get } from './api';
import { AddonCharge, excludedByPlan, PluginPlanNote, PluginUpgradeAction } from './billing-marketplace';
import { Icon } from './icons';
import { Consent, missingChain, titlesOf } from './marketplace-consent';
import { DisableDialog, PurgeDialog } from './marketplace-dialogs';
import { marketText } from './marketplace-messages';
import { pluginDescription, pluginText, pluginTitle } from './plugin-text';
import { SchemaFields } from './schema-fields';
import { bodyFrom, draftsFor, fieldsOf, placedKeys, type Drafts, type JsonSchema } from './schema';
import { useTenant, type MarketplaceEntry } from './session';
import { Dialog, DialogActions, Empty, ErrorBanner, Form, Loading, PageHeader, useAction, useLoad } from './ui';

type Mode = { kind: 'enable' | 'settings' | 'disable' | 'purge'; plugin: MarketplaceEntry };

/** Every installed plugin as a card: enable with settings, configure, disable, purge. */
export function MarketplacePage() {
  const tenant = useTenant();
  const [mode, setMode] = useState<Mode>();
  const [filter, setFilter] = useState('');
  const [category, setCategory] = useState('');
  const manage = tenant.can('core.plugins.manage');
  const categories = [...new Set(tenant.plugins.map((plugin) => plugin.category))].sort();
  const shown = tenant.plugins.filter(
    (plugin) =>
      (!category || plugin.category === category) &&
      `${plugin.title} ${plugin.description} ${pluginTitle(plugin)} ${pluginDescription(plugin)} ${plugin.name}`.toLowerCase().includes(filter.toLowerCase()),
  );
  const close = () => setMode(undefined);
  return (
    <section>
      <PageHeader title={marketText('title')} />
      <div class="toolbar" role="search">
        <label>
          {marketText('search')} <input type="search" value={filter} onInput={(event) => setFilter(event.currentTarget.value)} />
        </label>
        <label>
          {marketText('category')}{' '}
          <select value={category} onChange={(event) => setCategory(event.currentTarget.value)}>
            <option value="">{marketText('all')}</option>
            {categories.map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        </label>
      </div>
      {shown.length === 0 && <Empty>{marketText('noMatch')}</Empty>}
      <ul class="cards">
        {shown.map((plugin) => (
          <li class="card plugin-card" key={plugin.name} data-plugin={plugin.name}>
            <div class="card-head">
              <h2>
                <Icon name={plugin.icon} size={22} /> {pluginTitle(plugin)}
              </h2>
              {plugin.enabled && <span class="badge on">{marketText('enabled')}</span>}
            </div>
            <p>{pluginDescription(plugin)}</p>
            <PluginPlanNote plugin={plugin} />
            <dl class="facts">
              <dt>{marketText('category')}</dt>
              <dd>{plugin.category}</dd>
              <dt>{marketText('version')}</dt>
              <dd>{plugin.version}</dd>
              {plugin.author && (
                <>
                  <dt>{marketText('author')}</dt>
                  <dd>{plugin.author}</dd>
                </>
              )}
              <dt>{marketText('requires')}</dt>
              <dd>{titlesOf(tenant, Object.keys(plugin.requires.plugins)) || marketText('nothingElse')}</dd>
              {plugin.unit_tables.length > 0 && (
                <>
                  <dt>{marketText('units')}</dt>
                  <dd>{marketText('usesUnits')}</dd>
                </>
              )}
            </dl>
            <PermissionGrants plugin={plugin} />
            {!manage && plugin.enabled && plugin.settings_permission && tenant.can(plugin.settings_permission) && (
              <div class="card-actions">
                <button type="button" class="secondary" onClick={() => setMode({ kind: 'settings', plugin })}>
                  <Icon name="settings" /> {marketText('settings')}
                </button>
              </div>
            )}
            {manage && (
              <div class="card-actions">
                {plugin.enabled ? (
                  <>
                    <button type="button" class="secondary" onClick={() => setMode({ kind: 'settings', plugin })}>
                      <Icon name="settings" /> {marketText('settings')}
                    </button>
                    <button type="button" class="secondary" onClick={() => setMode({ kind: 'disable', plugin })}>
                      {marketText('disable')}
                    </button>
                  </>
                ) : (
                  <>
                    {excludedByPlan(plugin) ? (
                      <PluginUpgradeAction plugin={plugin} title={pluginTitle(plugin)} />
                    ) : (
                      <button type="button" onClick={() => setMode({ kind: 'enable', plugin })}>
                        {marketText('enablePlugin', { title: pluginTitle(plugin) })}
                      </button>
                    )}
                    {plugin.has_data && (
                      <button type="button" class="danger-link" onClick={() => setMode({ kind: 'purge', plugin })}>
                        <Icon name="trash" /> {marketText('purgeData')}
                      </button>
                    )}
                  </>
                )}
              </div>
            )}
          </li>
        ))}
      </ul>
      {mode && (mode.kind === 'enable' || mode.kind === 'settings') && <SettingsDialog mode={mode.kind} plugin={mode.plugin} onClose={close} />}
      {mode?.kind === 'disable' && <DisableDialog plugin={mode.plugin} onClose={close} />}
      {mode?.kind === 'purge' && <PurgeDialog plugin={mode.plugin} onClose={close} />}
    </section>
  );
}

/** Built-in roles in the order they rank; the owner holds every permission. */
const builtinRoles = ['owner', 'admin', 'member', 'viewer', 'customer'];

/** Which built-in roles get each permission of a plugin once it is enabled: what a tenant agrees to before enabling. */
function PermissionGrants({ plugin }: { plugin: MarketplaceEntry }) {
  return (
    <details>
      <summary>{marketText('grantsSummary', { count: plugin.permissions.length })}</summary>
      <table class="permission-grants">
        <caption class="visually-hidden">{marketText('grantsCaption', { title: pluginTitle(plugin) })}</caption>
        <thead>
          <tr>
            <th scope="col">{marketText('permission')}</th>
            <th scope="col">{marketText('givenTo')}</th>
          </tr>
        </thead>
        <tbody>
          {plugin.permissions.map((permission) => (
            <tr key={permission.name}>
              <td>
                <code>{permission.name}</code>
                <br />
                <span class="muted">{pluginText(plugin.name, permission.description)}</span>
              </td>
              <td data-label={marketText('givenTo')}>{builtinRoles.filter((role) => role === 'owner' || permission.grant_to.includes(role)).join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

/** Enables a plugin (or saves its settings) with a form generated from its settings schema; enabling shows what it is agreed to. */
function SettingsDialog({ mode, plugin, onClose }: { mode: 'enable' | 'settings'; plugin: MarketplaceEntry; onClose(): void }) {
  const tenant = useTenant();
  const detail = useLoad(
    () =>
      get<MarketplaceEntry & { settings_schema: JsonSchema | null; settings: Record<string, unknown> | null }>(`/marketplace/${plugin.name}`, {
        tenant: tenant.slug,
      }),
    [plugin.name],
  );
  const fields = fieldsOf(detail.data?.settings_schema ?? undefined, { currency: tenant.currency, timeZone: tenant.timeZone, plugin: plugin.name });
  const [drafts, setDrafts] = useState<Drafts>();
  const current = drafts ?? draftsFor(fields, detail.data?.settings ?? undefined);
  const [local, setLocal] = useState<Record<string, string[]>>({});
  const [missing, setMissing] = useState<string[]>([]);
  const needed = missingChain(tenant, plugin);
  const [withNeeded, setWithNeeded] = useState(false);
  const { busy, error, run } = useAction(async (withDependencies: boolean) => {
    const { body: settings, problems } = bodyFrom(fields, current);
    setLocal(problems);
    if (Object.keys(problems).length > 0) return;
    try {
      if (mode === 'enable')
        await call('POST', `/marketplace/${plugin.name}/enable`, {
          tenant: tenant.slug,
          body: { settings },
          query: { with_dependencies: withDependencies || undefined },
        });
      else await call('PUT', `/plugins/${plugin.name}/settings`, { tenant: tenant.slug, body: settings });
    } catch (caught) {
      if (caught instanceof ApiError && caught.code === 'dependency_not_enabled') setMissing(caught.errors.dependencies ?? []);
      throw caught;
    }
    await tenant.reload();
    onClose();
  });
  const prefix = mode === 'enable' ? 'settings.' : '';
  const dependencyError = error instanceof ApiError && error.code === 'dependency_not_enabled';
  const missingTitles = titlesOf(tenant, missing);
  return (
    <Dialog
      title={mode === 'enable' ? marketText('enableTitle', { title: pluginTitle(plugin) }) : marketText('settingsTitle', { title: pluginTitle(plugin) })}
      onClose={onClose}
    >
      {detail.loading ? (
        <Loading />
      ) : detail.error ? (
        <ErrorBanner error={detail.error} />
      ) : (
        <Form noValidate onSubmit={() => run(withNeeded && needed.length > 0)}>
          {!dependencyError && <ErrorBanner error={error} placed={placedKeys(error, fields, prefix)} />}
          {mode === 'enable' && <AddonCharge plugin={plugin} title={pluginTitle(plugin)} />}
          {mode === 'enable' && <Consent plugin={detail.data ?? plugin} />}
          {mode === 'enable' && needed.length > 0 && (
            <section class="consent-part" aria-labelledby="consent-needs">
              <h3 id="consent-needs">{marketText('needsHeading')}</h3>
              <ul class="consent-list">
                {Object.keys(plugin.requires.plugins).map((name) => (
                  <li key={name}>{needed.includes(name) ? titlesOf(tenant, [name]) : marketText('alreadyOn', { title: titlesOf(tenant, [name]) })}</li>
                ))}
              </ul>
              <label class="check">
                <input type="checkbox" checked={withNeeded} onChange={(event) => setWithNeeded(event.currentTarget.checked)} />{' '}
                {marketText('willEnable', { titles: titlesOf(tenant, needed) })}
              </label>
            </section>
          )}
          {fields.length === 0 ? (
            <p>{marketText('noSettings')}</p>
          ) : (
            <SchemaFields fields={fields} drafts={current} onChange={setDrafts} error={error} idPrefix="setting" errorPrefix={prefix} local={local} />
          )}
          {dependencyError && (
            <DependencyWarning title={pluginTitle(plugin)} missing={missingTitles} count={missing.length} busy={busy} onEnableAll={() => void run(true)} />
          )}
          <DialogActions onCancel={onClose} busy={busy}>
            {mode === 'enable' ? marketText('enable') : marketText('saveSettings')}
          </DialogActions>
        </Form>
      )}
    </Dialog>
  );
}

/** What a plugin still needs, with a button to enable it along (brought into view: the form may be long). */
function DependencyWarning(props: { title: string; missing: string; count: number; busy: boolean; onEnableAll(): void }) {
  const { title, missing, count, busy, onEnableAll } = props;
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.scrollIntoView({ block: 'nearest' }), []);
  return (
    <div class="banner warning" role="alert" ref={ref}>
      <strong>{marketText('needsFirst', { title, missing })}</strong>
      <p>{marketText('needsExplain', { count, title })}</p>
      <button type="button" onClick={onEnableAll} disabled={busy}>
        {marketText('enableToo', { missing })}
      </button>
    </div>
  );
}
