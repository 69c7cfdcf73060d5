import { ForbiddenError, NotFoundError, ValidationError, type FieldErrors, type ReportFormat } from '@plinth/sdk';
import type { KernelServices } from '../kernel.js';
import { coreErrors } from '../http/core-errors.js';
import type { Principal } from '../http/route.js';
import type { TenantAccess } from '../rbac/tenant-access.js';
import { holdsInSomeUnit, unitReach, type UnitTree } from '../units/unit-tree.js';
import { validate } from '../http/validation.js';
import { corePermissions, holds } from '../rbac/permissions.js';
import { reportsOf, type RegisteredReport } from './report-registry.js';

/** The person a request acts for: the user, or the member who made the API token. */
export function requesterOf(principal: Principal): string | null {
  return principal.kind === 'user' ? principal.userId : principal.createdBy;
}

/** Whether the caller sees every run and schedule of the tenant, not only their own. */
export function managesReports(permissions: readonly string[]): boolean {
  return holds(permissions, corePermissions['reports.manage'].name);
}

/** What the caller holds: tenant-wide permissions, and roles in organisation units with the tenant's unit tree. */
export interface Holder {
  permissions: readonly string[];
  access: TenantAccess | undefined;
  unitTree: UnitTree | undefined;
}

/**
 * The organisation units a holder reaches for `permission`, as a route with that permission would: null for the
 * whole tenant (held tenant-wide), the units it is held in and everything below them, or undefined when not held.
 */
export function reachFor(holder: Holder, permission: string): string[] | null | undefined {
  if (holds(holder.permissions, permission)) return null;
  if (!holder.unitTree || !holder.access || !holdsInSomeUnit(holder.access, permission)) return undefined;
  return [...unitReach(holder.unitTree, holder.access, permission).ids];
}

/**
 * A report the caller may run in this tenant, with the units they reach for it (null: the whole tenant): 404
 * `not_found` for an unknown name, 404 `plugin_not_enabled` when its plugin is not enabled, 403 without its
 * permission (held for the tenant or in some unit).
 */
export async function runnableReport(
  services: Pick<KernelServices, 'plugins'>,
  tenantId: string,
  name: string,
  holder: Holder,
): Promise<{ registered: RegisteredReport; units: string[] | null }> {
  const registered = reportsOf(services.plugins.plugins).get(name);
  if (!registered) throw new NotFoundError(`There is no report ${name}`);
  const state = await services.plugins.tenantPlugins.state(tenantId);
  if (!(registered.plugin.name in state.settings)) throw coreErrors.plugin_not_enabled(`The plugin ${registered.plugin.name} is not enabled for this tenant`);
  const units = reachFor(holder, registered.definition.permission.name);
  if (units === undefined) throw new ForbiddenError(`Running ${name} needs the permission ${registered.definition.permission.name}`);
  return { registered, units };
}

/**
 * The parameters checked against the report's schema (defaults applied) and its `check`, or 422 naming
 * `params.<field>`; the format among those offered.
 */
export function checkedInput(registered: RegisteredReport, params: unknown, format: ReportFormat): Record<string, unknown> {
  if (!registered.formats.includes(format)) throw new ValidationError({ format: [`must be one of ${registered.formats.join(', ')}`] });
  const copy = structuredClone(params ?? {}) as Record<string, unknown>;
  try {
    const checked = validate<Record<string, unknown>>(registered.definition.params, copy, { location: 'params' });
    // What a schema cannot say (`to` not before `from`): the report's own check.
    registered.definition.check?.(checked);
    return checked;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const errors: FieldErrors = {};
    for (const [field, messages] of Object.entries(error.errors ?? {})) errors[field === 'params' ? field : `params.${field}`] = messages;
    throw new ValidationError(errors);
  }
}
