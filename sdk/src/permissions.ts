/** The built-in roles every tenant has. */
/** `customer` is the role every customer (buyer, learner, parent) holds and nothing else: self-service permissions only. */
export type BuiltinRole = 'owner' | 'admin' | 'member' | 'viewer' | 'customer';

/** A permission a plugin declares: `<plugin>.<resource>.<action>`. */
export interface PermissionRef {
  readonly name: string;
  readonly description: string;
  /** Built-in roles that hold it by default once the plugin is enabled (`owner` holds everything anyway). */
  readonly grantTo: readonly BuiltinRole[];
  /**
   * Whether a role held in an organisation unit grants it (in that unit and the units below it). Declare it only for
   * permissions whose routes read and write tables with units (`addUnitScope`), where Row Level Security bounds a
   * unit-scoped caller; every other permission is granted by roles held for the whole tenant only, so a unit admin
   * can never reach, say, the tenant's settings or another plugin's unscoped records.
   */
  readonly units?: true;
}

/** A plugin's permissions, by their key without the plugin prefix. */
export type PermissionSet<K extends string = string> = { readonly [P in K]: PermissionRef };

/**
 * Declares a plugin's permissions. Keys are `<resource>.<action>`; the
 * plugin name is prefixed for you.
 *
 * @example
 * ```ts
 * export const crmPermissions = definePermissions('crm', {
 *   'contacts.view': { description: 'View contacts', grantTo: ['admin', 'member', 'viewer'] },
 *   'contacts.manage': { description: 'Create and edit contacts', grantTo: ['admin', 'member'], units: true },
 * });
 * crmPermissions['contacts.view'].name; // 'crm.contacts.view'
 * ```
 */
export function definePermissions<const K extends string>(
  plugin: string,
  permissions: { readonly [P in K]: { description: string; grantTo?: readonly BuiltinRole[]; units?: boolean } },
): PermissionSet<K> {
  const set = {} as Record<K, PermissionRef>;
  for (const key of Object.keys(permissions) as K[]) {
    const { description, grantTo = [], units } = permissions[key];
    set[key] = { name: `${plugin}.${key}`, description, grantTo, ...(units ? { units: true as const } : {}) };
  }
  return set;
}
