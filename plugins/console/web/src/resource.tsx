/** Plugin screens generated from the OpenAPI document, and pages of plugins' own custom elements. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { call, type RequestOptions } from './api';
import { humanize, openApi, screenFor, type Screen } from './openapi';
import { pluginText } from './plugin-text';
import { resourceText } from './resource-messages';
import { tenantPath, useTenant } from './session';
import { ResourceDetail } from './resource-detail';
import { ResourceForm } from './resource-form';
import { ResourceList } from './resource-list';
import type { Location } from './router';
import { Empty, ErrorBanner, Loading, PageHeader, useLoad } from './ui';

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

/** What the console hands a plugin's custom element (see "Console screens and custom elements" in the authoring guide). */
interface PlinthElement extends HTMLElement {
  plinth?: { tenant: string; call: typeof call; can(permission: string): boolean };
}

/**
 * A plugin's own custom element (navigation `web:<element>`): the console imports
 * `<web prefix><element>.js`, then mounts `<element tenant="slug">` with a `plinth` property
 * `{ tenant, call, can }` — `call(method, path, { body, query })` reaches the API as the user, in this
 * tenant unless `tenant` says otherwise; `can(permission)` tells whether the user holds a permission.
 */
export function WebComponentPage({ plugin, element }: { plugin: string; element: string }) {
  const tenant = useTenant();
  const entry = tenant.plugins.find((candidate) => candidate.name === plugin);
  const navigationEntry = entry?.navigation.find((item) => item.path === `web:${element}`);
  const host = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    if (!entry?.web || !/^[a-z][a-z0-9]*-[a-z0-9-]*$/.test(element)) {
      setError(new Error(resourceText('noSuchPage')));
      return;
    }
    let mounted: PlinthElement | undefined;
    import(/* @vite-ignore */ `${entry.web}${element}.js`).then(
      () => {
        const plinth = {
          tenant: tenant.slug,
          call: <T,>(method: string, path: string, options: RequestOptions = {}) => call<T>(method, path, { tenant: tenant.slug, ...options }),
          can: (permission: string) => tenant.can(permission),
        };
        mounted = Object.assign(document.createElement(element) as PlinthElement, { plinth });
        mounted.setAttribute('tenant', tenant.slug);
        host.current?.replaceChildren(mounted);
      },
      (caught: unknown) => setError(caught),
    );
    return () => mounted?.remove();
  }, [entry?.web, element, tenant.slug]);
  return (
    <section>
      <PageHeader title={pluginText(plugin, navigationEntry?.label ?? humanize(element))} />
      <ErrorBanner error={error} />
      <div ref={host} class="web-component">
        {!error && <Loading />}
      </div>
    </section>
  );
}
