import { singular } from '@plinth/sdk/text';
import { humanize } from './openapi';
import { pluginOf, pluginText } from './plugin-text';
import { tenantPath, type TenantSession } from './session';

/** Where a plugin API path (`/crm/contacts/1`) is shown in the console. */
export function appPath(tenant: TenantSession, apiPath: string): string {
  return tenantPath(tenant.slug, `/p${apiPath}`);
}

/** `Contacts` → `Contact`, `Categories` → `Category` (the SDK's: plugins' translations are keyed by these words). */
export { singular };

/** The label of a collection: the plugin's navigation label when it has one for the path. */
export function collectionLabel(tenant: TenantSession, apiPath: string): string {
  const [, plugin, ...rest] = apiPath.split('/');
  const entry = tenant.plugins.find((candidate) => candidate.name === plugin)?.navigation.find((item) => item.path === `/${rest.join('/')}`);
  return entry?.label ?? humanize(rest[rest.length - 1] ?? plugin ?? '');
}

/** {@link collectionLabel} in the console's language (the plugin's translation). */
export function collectionTitle(tenant: TenantSession, apiPath: string): string {
  return pluginText(pluginOf(apiPath), collectionLabel(tenant, apiPath));
}

/** What one record of a collection is called (`Contact`), in the console's language. */
export function recordNoun(tenant: TenantSession, apiPath: string): string {
  return pluginText(pluginOf(apiPath), singular(collectionLabel(tenant, apiPath)));
}
