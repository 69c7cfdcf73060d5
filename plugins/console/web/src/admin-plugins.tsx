import { get } from './api';
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
      <PageHeader title="Installed plugins" />
      <LoadedList list={plugins} items={plugins.data} empty="No plugin is installed.">
        {(items) => (
          <Table columns={['Plugin', 'Version', 'Scope', 'Tenants', 'Migrations', 'Installed']}>
            {items.map((plugin) => (
              <tr key={plugin.name} data-plugin={plugin.name}>
                <td>
                  <strong>{plugin.title}</strong> <code>{plugin.name}</code>
                </td>
                <td data-label="Version">
                  <Version plugin={plugin} />
                </td>
                <td data-label="Scope">{plugin.scope}</td>
                <td data-label="Tenants">{plugin.scope === 'host' ? 'all (host)' : plugin.tenants_enabled}</td>
                <td data-label="Migrations">
                  <Migrations migrations={plugin.migrations} />
                </td>
                <td data-label="Installed">
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
      {plugin.version} <span class="badge warn">{plugin.installed_version ? `database at ${plugin.installed_version}` : 'not installed'}</span>
    </>
  );
}

/** "2 of 2 applied", or the pending ones by name. */
function Migrations({ migrations }: { migrations: InstalledPlugin['migrations'] }) {
  if (migrations.length === 0) return <span class="muted">none</span>;
  const pending = migrations.filter((migration) => !migration.applied_at);
  return (
    <>
      {migrations.length - pending.length} of {migrations.length} applied
      {pending.length > 0 && (
        <>
          {' '}
          <span class="badge warn">pending: {pending.map((migration) => migration.name).join(', ')}</span>
        </>
      )}
    </>
  );
}
