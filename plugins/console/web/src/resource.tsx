/** Plugin screens generated from the OpenAPI document, and pages of plugins' own custom elements. */
import { openApi, screenFor, type Screen } from './openapi';
import { pluginText } from './plugin-text';
import { resourceText } from './resource-messages';
import { tenantPath, useTenant } from './session';
import { ResourceDetail } from './resource-detail';
import { ResourceForm } from './resource-form';
import { ResourceList } from './resource-list';
import type { Location } from './router';
import { Empty, ErrorBanner, Loading, useLoad } from './ui';

type Resolved = { screen: Screen; form?: 'create' | 'edit' };

function resolve(document: Awaited<ReturnType<typeof openApi>>, apiPath: string): Resolved {
  const parts = apiPath.split('/');
  const last = parts[parts.length - 1];
  const parent = parts.slice(0, -1).join('/');
  if (last === 'new') {
    const screen = screenFor(document, parent);
    if (screen.kind === 'collection' && screen.route.operations.post) return { screen, form: 'create' };
  }
  if (last === 'edit') {
    const screen = screenFor(document, parent);
    if (screen.kind === 'item' && (screen.route.operations.patch || screen.route.operations.put)) return { screen, form: 'edit' };
  }
  return { screen: screenFor(document, apiPath) };
}

/** A plugin's generated screen for the API path after `/p`. */
export function PluginPage({ plugin, path, location }: { plugin: string; path: string; location: Location }) {
  const tenant = useTenant();
  const entry = tenant.plugins.find((candidate) => candidate.name === plugin);
  const document = useLoad(() => openApi(), []);
  const apiPath = `/${plugin}${path === '/' ? '' : path.replace(/\/+$/, '')}`;
  if (!entry?.enabled)
    return (
      <Empty>
        <h1>{resourceText('notEnabled', { title: pluginText(plugin, entry?.title ?? plugin) })}</h1>
        <p>
          {tenant.can('core.plugins.manage') ? (
            <a href={tenantPath(tenant.slug, '/marketplace')}>{resourceText('enableInMarketplace')}</a>
          ) : (
            resourceText('askAdmin')
          )}
        </p>
      </Empty>
    );
  if (document.loading) return <Loading />;
  if (document.error || !document.data) return <ErrorBanner error={document.error} />;
  const { screen, form } = resolve(document.data, apiPath);
  if (screen.kind === 'none')
    return (
      <Empty>
        <h1>{resourceText('nothingHere')}</h1>
        <p>{resourceText('noScreen', { title: pluginText(plugin, entry.title) })}</p>
      </Empty>
    );
  if (form) return <ResourceForm key={location.path} screen={screen} mode={form} />;
  if (screen.kind === 'collection') return <ResourceList key={screen.apiPath} screen={screen} location={location} />;
  return <ResourceDetail key={screen.apiPath} screen={screen} document={document.data} />;
}
