import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, call, get } from './api';
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
      (!category || plugin.category === category) && `${plugin.title} ${plugin.description} ${plugin.name}`.toLowerCase().includes(filter.toLowerCase()),
  );
  const close = () => setMode(undefined);
  return (
    <section>
      <PageHeader title="Marketplace" />
      <div class="toolbar" role="search">
        <label>
          Search <input type="search" value={filter} onInput={(event) => setFilter(event.currentTarget.value)} />
        </label>
        <label>
          Category{' '}
          <select value={category} onChange={(event) => setCategory(event.currentTarget.value)}>
            <option value="">All</option>
            {categories.map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        </label>
      </div>
      {shown.length === 0 && <Empty>No plugin matches.</Empty>}
      <ul class="cards">
        {shown.map((plugin) => (
          <li class="card plugin-card" key={plugin.name} data-plugin={plugin.name}>
            <div class="card-head">
              <h2>
                <span aria-hidden="true">{plugin.icon ?? '🧩'}</span> {plugin.title}
              </h2>
              {plugin.enabled && <span class="badge on">Enabled</span>}
            </div>
            <p>{plugin.description}</p>
            <dl class="facts">
              <dt>Category</dt>
              <dd>{plugin.category}</dd>
              <dt>Version</dt>
              <dd>{plugin.version}</dd>
              {plugin.author && (
                <>
                  <dt>Author</dt>
                  <dd>{plugin.author}</dd>
                </>
              )}
              <dt>Requires</dt>
              <dd>{Object.keys(plugin.requires.plugins).join(', ') || 'nothing else'}</dd>
            </dl>
            <PermissionGrants plugin={plugin} />
            {!manage && plugin.enabled && plugin.settings_permission && tenant.can(plugin.settings_permission) && (
              <div class="card-actions">
                <button type="button" class="secondary" onClick={() => setMode({ kind: 'settings', plugin })}>
                  Settings
                </button>
              </div>
            )}
            {manage && (
              <div class="card-actions">
                {plugin.enabled ? (
                  <>
                    <button type="button" class="secondary" onClick={() => setMode({ kind: 'settings', plugin })}>
                      Settings
                    </button>
                    <button type="button" class="secondary" onClick={() => setMode({ kind: 'disable', plugin })}>
                      Disable
                    </button>
                  </>
                ) : (
                  <>
                    <button type="button" onClick={() => setMode({ kind: 'enable', plugin })}>
                      Enable {plugin.title}
                    </button>
                    <button type="button" class="danger-link" onClick={() => setMode({ kind: 'purge', plugin })}>
                      Purge data…
                    </button>
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
      <summary>Permissions and who gets them ({plugin.permissions.length})</summary>
      <table class="permission-grants">
        <caption class="visually-hidden">Permissions {plugin.title} adds, and the built-in roles given each one</caption>
        <thead>
          <tr>
            <th scope="col">Permission</th>
            <th scope="col">Given to</th>
          </tr>
        </thead>
        <tbody>
          {plugin.permissions.map((permission) => (
            <tr key={permission.name}>
              <td>
                <code>{permission.name}</code>
                <br />
                <span class="muted">{permission.description}</span>
              </td>
              <td data-label="Given to">{builtinRoles.filter((role) => role === 'owner' || permission.grant_to.includes(role)).join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

/** Enables a plugin (or saves its settings) with a form generated from its settings schema. */
function SettingsDialog({ mode, plugin, onClose }: { mode: 'enable' | 'settings'; plugin: MarketplaceEntry; onClose(): void }) {
  const tenant = useTenant();
  const detail = useLoad(
    () =>
      get<MarketplaceEntry & { settings_schema: JsonSchema | null; settings: Record<string, unknown> | null }>(`/marketplace/${plugin.name}`, {
        tenant: tenant.slug,
      }),
    [plugin.name],
  );
  const fields = fieldsOf(detail.data?.settings_schema ?? undefined);
  const [drafts, setDrafts] = useState<Drafts>();
  const current = drafts ?? draftsFor(fields, detail.data?.settings ?? undefined);
  const [local, setLocal] = useState<Record<string, string[]>>({});
  const [missing, setMissing] = useState<string[]>([]);
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
  const missingTitles = missing.map((name) => tenant.plugins.find((candidate) => candidate.name === name)?.title ?? name).join(', ');
  return (
    <Dialog title={mode === 'enable' ? `Enable ${plugin.title}` : `${plugin.title} settings`} onClose={onClose}>
      {detail.loading ? (
        <Loading />
      ) : detail.error ? (
        <ErrorBanner error={detail.error} />
      ) : (
        <Form noValidate onSubmit={() => run(false)}>
          {!dependencyError && <ErrorBanner error={error} placed={placedKeys(error, fields, prefix)} />}
          {fields.length === 0 ? (
            <p>This plugin has no settings.</p>
          ) : (
            <SchemaFields fields={fields} drafts={current} onChange={setDrafts} error={error} idPrefix="setting" errorPrefix={prefix} local={local} />
          )}
          {mode === 'enable' && plugin.permissions.length > 0 && (
            <p class="muted">Enabling gives its permissions to the built-in roles its card names; custom roles get them only when you add them under Roles.</p>
          )}
          {dependencyError && (
            <DependencyWarning title={plugin.title} missing={missingTitles} count={missing.length} busy={busy} onEnableAll={() => void run(true)} />
          )}
          <DialogActions onCancel={onClose} busy={busy}>
            {mode === 'enable' ? 'Enable' : 'Save settings'}
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
      <strong>
        {title} needs {missing} enabled first.
      </strong>
      <p>
        Enable {count === 1 ? 'it' : 'them'} on {count === 1 ? 'its' : 'their'} own card first, or together with {title} now (with default settings):
      </p>
      <button type="button" onClick={onEnableAll} disabled={busy}>
        Enable {missing} too
      </button>
    </div>
  );
}

function DisableDialog({ plugin, onClose }: { plugin: MarketplaceEntry; onClose(): void }) {
  const tenant = useTenant();
  const { busy, error, run } = useAction(async () => {
    await call('POST', `/marketplace/${plugin.name}/disable`, { tenant: tenant.slug });
    await tenant.reload();
    onClose();
  });
  return (
    <Dialog title={`Disable ${plugin.title}?`} onClose={onClose}>
      <ErrorBanner error={error} />
      <p>
        Members lose access to {plugin.title} and its API answers <code>plugin_not_enabled</code>. <strong>Its data stays</strong>: enable it again and
        everything is where you left it. To delete the data, purge it after disabling.
      </p>
      <div class="dialog-actions">
        <button type="button" class="secondary" onClick={onClose}>
          Cancel
        </button>
        <button type="button" disabled={busy} onClick={() => void run()}>
          Disable
        </button>
      </div>
    </Dialog>
  );
}

/** Deletes the tenant's data of a disabled plugin once its name is typed; offers an export first. */
function PurgeDialog({ plugin, onClose }: { plugin: MarketplaceEntry; onClose(): void }) {
  const tenant = useTenant();
  const [typed, setTyped] = useState('');
  const [done, setDone] = useState(false);
  const { busy, error, run } = useAction(async () => {
    await call('DELETE', `/marketplace/${plugin.name}/data`, { tenant: tenant.slug, query: { confirm: typed } });
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
  return (
    <Dialog title={`Purge ${plugin.title} data`} onClose={onClose}>
      {done ? (
        <p class="banner success" role="status">
          {plugin.title}'s data of this tenant is deleted.
        </p>
      ) : (
        <Form onSubmit={run}>
          <ErrorBanner error={error ?? exporter.error} placed={['confirm']} />
          <p>
            This permanently deletes every record {plugin.title} keeps for <strong>{tenant.name}</strong>. It cannot be undone.
          </p>
          <p>
            <button type="button" class="secondary" disabled={exporter.busy} onClick={() => void exporter.run()}>
              Download an export first
            </button>
          </p>
          <label for="purge-confirm">
            Type <strong>{plugin.name}</strong> to confirm
          </label>
          <input id="purge-confirm" value={typed} autoComplete="off" onInput={(event) => setTyped(event.currentTarget.value)} />
          <div class="dialog-actions">
            <button type="button" class="secondary" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" class="danger" disabled={busy || typed !== plugin.name}>
              Purge data
            </button>
          </div>
        </Form>
      )}
    </Dialog>
  );
}
