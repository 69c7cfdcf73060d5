import type { StringOptions, TString } from '@sinclair/typebox';
import { Ref } from './forms.js';

/**
 * An organisation unit of the tenant (a college, a department, a team, a branch): tenants build a tree of them, and
 * a member's role may apply to one unit and everything below it instead of the whole tenant.
 */
export interface OrgUnit {
  id: string;
  /** The unit above, or null for a top-level unit. */
  parentId: string | null;
  name: string;
  /** The tenant's word for this level (`college`, `department`, `team`, `branch`). */
  kind: string;
  /** Names from the top down to this unit: `['College of Science', 'Physics']`. */
  path: string[];
}

/**
 * The units a request reaches for a permission: `whole` when the caller holds it for the whole tenant (every unit,
 * and records that belong to no unit); otherwise only the records of `ids` (units the caller holds it in, and every
 * unit below them). Row Level Security applies the route's own reach to every table a plugin declared with units,
 * so a query needs no filter of its own.
 */
export interface UnitReach {
  whole: boolean;
  /** The reachable units when not `whole` (never empty then: a caller reaching nothing is refused with 403). */
  ids: readonly string[];
}

/**
 * The tenant's units, for a plugin's handlers (`deps.units`): to show a record's unit by name, to filter a list
 * by a unit and everything below it, or to check that a unit exists.
 *
 * @example
 * ```ts
 * // GET /courses?unit=<id>: the courses of a college and all its departments (RLS still limits to what the caller reaches)
 * const ids = query.unit ? await deps.units.subtree(query.unit) : undefined;
 * const rows = await deps.db.query('select * from lms_courses where ($1::uuid[] is null or unit_id = any($1))', [ids ?? null]);
 * ```
 */
export interface PluginUnits {
  /** Every unit of the tenant, parents before children. */
  list(): Promise<OrgUnit[]>;
  /** One unit, or undefined. */
  get(id: string): Promise<OrgUnit | undefined>;
  /** The unit and every unit below it (ids); empty when there is no such unit. */
  subtree(id: string): Promise<string[]>;
}

/**
 * A field holding the organisation unit a record belongs to: a UUID that forms show as a picker of the tenant's
 * units by their path. The kernel checks it: a unit of another tenant or none at all is 422, a unit the caller
 * does not reach 403 (Row Level Security refuses the row).
 *
 * @example
 * ```ts
 * const NewCourse = Type.Object({ title: Type.String(), unit_id: Type.Optional(Type.Union([UnitRef(), Type.Null()])) });
 * ```
 */
export function UnitRef(options: StringOptions = {}): TString {
  return Ref('/units', { title: 'Unit', label: 'label', ...options });
}
