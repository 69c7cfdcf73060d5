import { type PluginUnits, type RequestContext, type UnitReach, Type, UnitRef, ValidationError } from '@plinth/sdk';

/** What a record's `unit_id` means, in the API's documents. */
export const unitDescription = 'The organisation unit (college, department) it belongs to; none: the whole workspace';

/** A record's unit in request bodies: a unit of the tenant (a picker in forms), or null for the whole tenant's. */
export const UnitField = Type.Union([UnitRef({ description: unitDescription }), Type.Null()], { title: 'Unit' });

/** The `unit` filter of list routes: that unit and every unit below it. */
export const UnitQuery = Type.String({ format: 'uuid', description: 'Only records of this organisation unit and the units below it' });

/** 422 on `unit_id` unless `unitId` is one of the tenant's units (a forged id, another tenant's unit). */
export async function requireUnit(units: PluginUnits, unitId: string): Promise<void> {
  if (!(await units.get(unitId))) throw new ValidationError({ unit_id: ['is not an organisation unit of this workspace'] });
}

/** The ids a `?unit=` filter keeps (the unit and those below it), or null when the list is not filtered; 422 for no unit of the tenant's. */
export async function unitFilter(units: PluginUnits, unit: string | undefined): Promise<string[] | null> {
  if (unit === undefined) return null;
  const ids = await units.subtree(unit);
  if (ids.length === 0) throw new ValidationError({ unit: ['is not an organisation unit of this workspace'] });
  return ids;
}

/**
 * The unit a new record goes to when the body names none: none for a caller reaching the whole tenant; the caller's
 * unit when their reach has a single top (a department's admin need not pick her department); otherwise 422, as
 * the record would belong to no unit they reach.
 */
export async function defaultUnit(units: PluginUnits, reach: UnitReach): Promise<string | null> {
  if (reach.whole) return null;
  const reached = new Set(reach.ids);
  const tops = (await units.list()).filter((unit) => reached.has(unit.id) && !(unit.parentId && reached.has(unit.parentId)));
  if (tops.length === 1) return tops[0]!.id;
  throw new ValidationError({ unit_id: ['is required: choose one of your organisation units'] });
}

/**
 * Where the caller holds any of `permissions` (a staff permission, where the route's own permission is wider): the
 * whole tenant, or the units they hold it in and every unit below them (empty when nowhere).
 */
export async function reachOf(ctx: RequestContext<unknown>, units: PluginUnits, permissions: readonly { name: string }[]): Promise<UnitReach> {
  if (permissions.some((permission) => ctx.can(permission, { unit: null }))) return { whole: true, ids: [] };
  if (!permissions.some((permission) => ctx.can(permission))) return { whole: false, ids: [] };
  const all = await units.list();
  return { whole: false, ids: all.filter((unit) => permissions.some((permission) => ctx.can(permission, { unit: unit.id }))).map((unit) => unit.id) };
}
