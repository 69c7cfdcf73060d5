import { humanize } from './openapi';
import { tenantPath, type TenantSession } from './session';

/** Where a plugin API path (`/crm/contacts/1`) is shown in the console. */
export function appPath(tenant: TenantSession, apiPath: string): string {
  return tenantPath(tenant.slug, `/p${apiPath}`);
}

/** `Contacts` → `Contact`, `Categories` → `Category`. */
export function singular(label: string): string {
  if (/ies$/i.test(label)) return label.replace(/ies$/i, 'y');
  if (/(ss|x|ch|sh)es$/i.test(label)) return label.replace(/es$/i, '');
  return label.replace(/s$/i, '');
}

/** The label of a collection: the plugin's navigation label when it has one for the path. */
export function collectionLabel(tenant: TenantSession, apiPath: string): string {
  const [, plugin, ...rest] = apiPath.split('/');
  const entry = tenant.plugins.find((candidate) => candidate.name === plugin)?.navigation.find((item) => item.path === `/${rest.join('/')}`);
  return entry?.label ?? humanize(rest[rest.length - 1] ?? plugin ?? '');
}
