import { pluginTitle } from './plugin-text';
import { get } from './api';
import { adminText } from './admin-messages';
import { LoadedList, Table } from './list';
import { PageHeader, useLoad, When } from './ui';

/** An installed plugin as `GET /admin/plugins` reports it. */
interface InstalledPlugin {
  name: string;
  title: string;
  /** The version of the code the host runs. */
  version: string;
  scope: 'tenant' | 'host';
  /** The version recorded in the database (null until `plinth migrate` installs it). */
  installed_version: string | null;
  installed_at: string | null;
  tenants_enabled: number;
  migrations: { name: string; applied_at: string | null }[];
}

/** What the host runs: each plugin's version, its migrations applied or pending, how many tenants use it. */
export function AdminPluginsPage() {
  const plugins = useLoad(() => get<InstalledPlugin[]>('/admin/plugins'), []);
  return (
    <section>
      <PageHeader title={adminText('pluginsTitle')} />
      <LoadedList list={plugins} items={plugins.data} empty={adminText('noPlugin')}>
        {(items) => (
          <Table
            columns={[adminText('plugin'), adminText('version'), adminText('scope'), adminText('tenants'), adminText('migrations'), adminText('installed')]}
          >
            {items.map((plugin) => (
              <tr key={plugin.name} data-plugin={plugin.name}>
                <td>
                  <strong>{pluginTitle(plugin)}</strong> <code>{plugin.name}</code>
                </td>
                <td data-label={adminText('version')}>
                  <Version plugin={plugin} />
                </td>
                <td data-label={adminText('scope')}>{plugin.scope === 'host' ? adminText('scopeHost') : adminText('scopeTenant')}</td>
                <td data-label={adminText('tenants')}>{plugin.scope === 'host' ? adminText('allHost') : plugin.tenants_enabled}</td>
                <td data-label={adminText('migrations')}>
                  <Migrations migrations={plugin.migrations} />
                </td>
                <td data-label={adminText('installed')}>
                  <When value={plugin.installed_at} />
                </td>
              </tr>
            ))}
          </Table>
        )}
      </LoadedList>
    </section>
  );
}

/** The code's version, flagged when the database records another one (an upgrade `plinth migrate` has not run). */
function Version({ plugin }: { plugin: InstalledPlugin }) {
  if (plugin.installed_version === plugin.version) return <>{plugin.version}</>;
  return (
    <>
      {plugin.version}{' '}
      <span class="badge warn">{plugin.installed_version ? adminText('databaseAt', { version: plugin.installed_version }) : adminText('notInstalled')}</span>
    </>
  );
}

/** "2 of 2 applied", or the pending ones by name. */
function Migrations({ migrations }: { migrations: InstalledPlugin['migrations'] }) {
  if (migrations.length === 0) return <span class="muted">{adminText('none')}</span>;
  const pending = migrations.filter((migration) => !migration.applied_at);
  return (
    <>
      {adminText('applied', { applied: migrations.length - pending.length, total: migrations.length })}
      {pending.length > 0 && (
        <>
          {' '}
          <span class="badge warn">{adminText('pending', { names: pending.map((migration) => migration.name).join(', ') })}</span>
        </>
      )}
    </>
  );
}
