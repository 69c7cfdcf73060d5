import { definePermissions, type PermissionRef } from '@plinth/sdk';

/** A permission the catalogue lists: `<plugin>.<resource>.<action>` (core's and plugins' refs are ones). */
export type PermissionDefinition = PermissionRef;

/** Every tenant's built-in roles; `customer` is held by customer memberships only, and by no staff (ADR 0007). */
export const builtinRoles = ['owner', 'admin', 'member', 'viewer', 'customer'] as const;
export type BuiltinRole = (typeof builtinRoles)[number];

/** Core's own permissions; routes name them by ref (`corePermissions['tenant.view']`). */
export const corePermissions = definePermissions('core', {
  'tenant.view': { description: 'View the tenant and its settings', grantTo: ['admin', 'member', 'viewer'] },
  'tenant.manage': { description: 'Change the tenant name and settings', grantTo: ['admin'] },
  'members.view': {
    description: 'List members and their roles (the whole directory, also when held in a unit)',
    grantTo: ['admin', 'member', 'viewer'],
    units: true,
  },
  'members.manage': { description: 'Invite, remove and change the roles of members', grantTo: ['admin'] },
  'roles.view': { description: 'List roles and the permission catalogue', grantTo: ['admin', 'member'], units: true },
  'roles.manage': { description: 'Create, edit and delete custom roles', grantTo: ['admin'] },
  'units.view': { description: 'See the organisation units (colleges, departments, teams)', grantTo: ['admin', 'member', 'viewer'], units: true },
  'units.manage': { description: 'Create, rename, move and delete organisation units, and give roles in them', grantTo: ['admin'], units: true },
  'api-tokens.view': { description: 'List API tokens', grantTo: ['admin'] },
  'api-tokens.manage': { description: 'Create and revoke API tokens', grantTo: ['admin'] },
  'audit.view': { description: 'Read the audit log (held in a unit: the entries of its units)', grantTo: ['admin'], units: true },
  'plugins.view': { description: 'Browse the marketplace and see enabled plugins and their settings', grantTo: ['admin', 'member', 'viewer'] },
  'plugins.manage': { description: 'Enable, disable and configure plugins, and purge their data', grantTo: ['admin'] },
  'billing.view': { description: "See the organisation's plan, usage, subscription and invoices", grantTo: ['admin'] },
  'billing.manage': { description: 'Change the plan, the card and the billing details, and pay invoices', grantTo: ['admin'] },
  'jobs.view': { description: "See the tenant's background jobs and their failures", grantTo: ['admin'] },
  'files.view': { description: "List and download the tenant's files and share them by signed URL", grantTo: ['admin', 'member', 'viewer'] },
  'files.upload': { description: 'Upload files, and delete the ones you uploaded', grantTo: ['admin', 'member'] },
  'files.manage': { description: "Delete any of the tenant's files", grantTo: ['admin'] },
  'notifications.manage': { description: "Set the tenant's default notification channels and read its notification log", grantTo: ['admin'] },
  'reports.schedule': { description: 'Schedule reports you may run, mailed to members on a timetable', grantTo: ['admin', 'member'] },
  'reports.manage': { description: "See and download everyone's report runs, and change any report schedule", grantTo: ['admin'] },
  // Owners only (through `*`): letting the host into the tenant's data is the owners' decision.
  'support.manage': { description: 'Approve, deny and end support access by the host', grantTo: [] },
  // Owners only: single sign-on decides who may enter the tenant, and how.
  'sso.manage': { description: "Configure the tenant's single sign-on: its identity provider, email domains and password policy", grantTo: [] },
});

/** Core's permissions as the catalogue lists them, in declaration order. */
export const corePermissionList: readonly PermissionDefinition[] = Object.values(corePermissions);

const permissionPattern = /^(\*|[a-z][a-z0-9-]*(\.(\*|[a-z][a-z0-9-]*)){0,2}(\.\*)?)$/;

/** Whether `value` is a permission or a wildcard pattern (`*`, `crm.*`, `crm.contacts.*`, `crm.contacts.view`). */
export function isPermissionPattern(value: string): boolean {
  return permissionPattern.test(value) && (value === '*' || value.split('.').length <= 3);
}

/** Whether a held pattern covers `wanted` (a permission or itself a pattern). */
export function covers(held: string, wanted: string): boolean {
  if (held === '*' || held === wanted) return true;
  if (!held.endsWith('.*')) return false;
  const prefix = held.slice(0, -1); // keeps the dot: 'crm.'
  return wanted.startsWith(prefix) && wanted !== prefix.slice(0, -1);
}

/** Whether any of `held` covers `wanted`. */
export function holds(held: readonly string[], wanted: string): boolean {
  for (const pattern of held) if (covers(pattern, wanted)) return true;
  return false;
}

/** The patterns of `wanted` that `held` does not cover: what an actor may not grant. */
export function notHeld(held: readonly string[], wanted: readonly string[]): string[] {
  return wanted.filter((permission) => !holds(held, permission));
}

/** What a built-in role holds: `owner` everything; the others, the catalogue's default grants. */
export function builtinGrants(role: BuiltinRole, catalogue: readonly PermissionDefinition[]): string[] {
  if (role === 'owner') return ['*'];
  return catalogue.filter((permission) => permission.grantTo.includes(role)).map((permission) => permission.name);
}
