/**
 * Where the generated pages link to plugins' own screens (`web.screens`): a screen `on` a route (`/sites/:id`)
 * is reached from that route's page, with the route's parameters as its query (`?id=<uuid>`); a `primary` one
 * replaces the generic page of the route's records. Pure: tested in screen-links.web.test.ts.
 */
import type { PluginScreen, TenantSession } from './session';

const apiPrefix = '/api/v1';
const parts = (path: string) => path.split('/').filter(Boolean);
const isParameter = (segment: string) => segment.startsWith(':') || (segment.startsWith('{') && segment.endsWith('}'));

/** A screen of a plugin, with the plugin it belongs to. */
export interface ScreenLink {
  plugin: string;
  screen: PluginScreen;
}

/** Whether a screen's `on` (`/sites/:id`, relative to the plugin) is the route template (`/api/v1/bio-sites/sites/{id}`). */
export function isOn(on: string, plugin: string, template: string): boolean {
  const wanted = parts(template.startsWith(apiPrefix) ? template.slice(apiPrefix.length) : template);
  const declared = [plugin, ...parts(on)];
  return (
    wanted.length === declared.length && declared.every((segment, index) => (isParameter(segment) ? isParameter(wanted[index]!) : segment === wanted[index]))
  );
}

/** The screens on a route template the user may open (enabled plugin with web code, permission held), primary first. */
export function screensOn(tenant: Pick<TenantSession, 'plugins' | 'can'>, template: string | undefined): ScreenLink[] {
  if (!template) return [];
  const plugin = parts(template.startsWith(apiPrefix) ? template.slice(apiPrefix.length) : template)[0];
  const entry = tenant.plugins.find((candidate) => candidate.name === plugin);
  if (!plugin || !entry?.enabled || !entry.web) return [];
  return entry.screens
    .filter((screen) => screen.on && isOn(screen.on, plugin, template) && tenant.can(screen.permission ?? undefined))
    .sort((a, b) => Number(b.primary) - Number(a.primary))
    .map((screen) => ({ plugin, screen }));
}

/** The primary screen on a route template, if the user may open it. */
export function primaryScreenOn(tenant: Pick<TenantSession, 'plugins' | 'can'>, template: string | undefined): ScreenLink | undefined {
  return screensOn(tenant, template).find((link) => link.screen.primary);
}

/** The route's parameters in a concrete API path (`/bio-sites/sites/<uuid>` on `/sites/:id` → `{ id: '<uuid>' }`). */
export function paramsOf(on: string, apiPath: string): Record<string, string> {
  const concrete = parts(apiPath).slice(1);
  const params: Record<string, string> = {};
  parts(on).forEach((segment, index) => {
    const value = concrete[index];
    if (segment.startsWith(':') && value !== undefined) params[segment.slice(1)] = decodeURIComponent(value);
  });
  return params;
}

/** The console path (inside the tenant) of a screen opened from a concrete API path: `/w/<plugin>/<element>?id=…`. */
export function screenPath(link: ScreenLink, apiPath: string): string {
  const query = new URLSearchParams(link.screen.on ? paramsOf(link.screen.on, apiPath) : {}).toString();
  return `/w/${link.plugin}/${link.screen.element}${query ? `?${query}` : ''}`;
}

/** The API path of the record a screen was opened for (`on` with `params` filled in), when all are there. */
export function recordPathOf(plugin: string, on: string, params: Record<string, string>): string | undefined {
  const filled = parts(on).map((segment) => (segment.startsWith(':') ? params[segment.slice(1)] : segment));
  if (filled.some((segment) => segment === undefined || segment === '')) return undefined;
  return `/${plugin}/${filled.map((segment) => encodeURIComponent(segment!)).join('/')}`;
}
