import { commonErrors, ForbiddenError, NotFoundError, PageQuery, pageWindow, paginate, ValidationError } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import { coreErrors } from '../http/core-errors.js';
import { Exact, NoContent, Nullable, Uuid, withStatus } from '../http/response-schemas.js';
import { defineRoute, Reply, type CoreRoute } from '../http/route.js';
import { kernelRefs } from '../kernel-refs.js';
import { corePermissions } from '../rbac/permissions.js';
import type { ScopedDb } from '../db/scoped-db.js';
import { UnitTree, type Reach, type UnitRow } from './unit-tree.js';

/** A unit as the API shows it. */
const Unit = Exact({
  id: Uuid,
  parent_id: Nullable(Uuid),
  name: Type.String(),
  kind: Type.String({ description: "The tenant's word for the level: college, department, team, branch" }),
  path: Type.Array(Type.String(), { description: 'Names from the top down to this unit' }),
  label: Type.String({ description: 'The path as one line: `College of Science › Physics`' }),
  depth: Type.Integer({ minimum: 0 }),
  children: Type.Integer({ minimum: 0, description: 'Units directly below' }),
});

const Name = Type.String({ minLength: 1, maxLength: 120, pattern: '\\S', title: 'Name' });
const Kind = Type.String({ minLength: 1, maxLength: 40, pattern: '\\S', title: 'Kind', description: 'College, department, team, branch…' });
const Parent = Nullable(Type.String({ format: 'uuid', title: 'Parent unit', 'x-plinth-ref': { resource: '/units', label: 'label' } }));
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

function view(tree: UnitTree, row: UnitRow) {
  const path = tree.path(row.id);
  return {
    id: row.id,
    parent_id: row.parent_id,
    name: row.name,
    kind: row.kind,
    path,
    label: path.join(' › '),
    depth: path.length - 1,
    children: tree.children(row.id).length,
  };
}

/** The tenant's units as this transaction sees them, after taking the tree's lock: changes to the tree are one at a time. */
async function lockedTree(db: ScopedDb): Promise<UnitTree> {
  await db.lock('core/org-units');
  return new UnitTree(await db.query<UnitRow>('select id, parent_id, name, kind from org_units'));
}

/** Whether the request reaches the unit (a caller holding the route's permission only in units reaches their subtrees). */
const reaches = (units: Reach, id: string) => units.whole || units.set.has(id);

/** A unit the request reaches, else 404 (as a record of another tenant would be). */
function reachableUnit(tree: UnitTree, units: Reach, id: string): UnitRow {
  const row = tree.byId.get(id);
  if (!row || !reaches(units, id)) throw new NotFoundError('Unit not found');
  return row;
}

/** Where a unit may go: the top needs the permission for the whole tenant, a parent must exist and be reached. */
function checkParent(tree: UnitTree, units: Reach, parentId: string | null): void {
  if (parentId === null) {
    if (!units.whole) throw new ForbiddenError('Only someone who manages units for the whole tenant may add or move a unit to the top');
    return;
  }
  if (!tree.byId.has(parentId)) throw new ValidationError({ parent_id: ['refers to a unit that does not exist'] });
  if (!reaches(units, parentId)) throw new ForbiddenError('You may only put units under units you manage');
}

export const listUnits = defineRoute({
  method: 'GET',
  path: '/units',
  summary: 'Organisation units, parents before children (those the caller reaches); `q` filters by name, kind or path',
  tag: 'units',
  permission: corePermissions['units.view'],
  schema: {
    query: Type.Object({ ...PageQuery.properties, q: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) }, { additionalProperties: false }),
    response: Type.Array(Unit),
  },
  deps: { orgUnits: kernelRefs.orgUnits },
  errors: [],
  async handler({ query, deps, tenant, units }) {
    const tree = await deps.orgUnits.treeOf(tenant.id);
    const needle = query.q?.toLocaleLowerCase();
    const all = tree
      .ordered()
      .filter((row) => reaches(units, row.id))
      .map((row) => view(tree, row))
      .filter((unit) => !needle || `${unit.label} ${unit.kind}`.toLocaleLowerCase().includes(needle));
    const { limit, offset } = pageWindow(query);
    return Reply.list(all.slice(offset, offset + limit), paginate(query, all.length));
  },
});

export const getUnit = defineRoute({
  method: 'GET',
  path: '/units/:id',
  summary: 'One organisation unit',
  tag: 'units',
  permission: corePermissions['units.view'],
  schema: { params: IdParams, response: Unit },
  deps: { orgUnits: kernelRefs.orgUnits },
  errors: [],
  async handler({ params, deps, tenant, units }) {
    const tree = await deps.orgUnits.treeOf(tenant.id);
    return view(tree, reachableUnit(tree, units, params.id));
  },
});

export const createUnit = defineRoute({
  method: 'POST',
  path: '/units',
  summary: 'Add an organisation unit (at the top, or under a unit you manage)',
  tag: 'units',
  permission: corePermissions['units.manage'],
  schema: {
    body: Type.Object({ name: Name, kind: Kind, parent_id: Type.Optional(Parent) }, { additionalProperties: false }),
    response: withStatus(Unit, 201),
  },
  deps: { orgUnits: kernelRefs.orgUnits },
  errors: [commonErrors.conflict],
  async handler({ body, db, deps, tenant, units, audit }) {
    const tree = await lockedTree(db);
    const parentId = body.parent_id ?? null;
    checkParent(tree, units, parentId);
    const row = await db.one<UnitRow>('insert into org_units (parent_id, name, kind) values ($1, $2, $3) returning id, parent_id, name, kind', [
      parentId,
      body.name.trim(),
      body.kind.trim(),
    ]);
    await audit({ action: 'unit.created', targetType: 'unit', targetId: row!.id, data: { name: row!.name, kind: row!.kind, parent_id: parentId } });
    db.afterCommit(() => deps.orgUnits.forget(tenant.id));
    return Reply.created(view(new UnitTree([...tree.rows, row!]), row!));
  },
});

export const updateUnit = defineRoute({
  method: 'PATCH',
  path: '/units/:id',
  summary: 'Rename an organisation unit, change its kind, or move it (with everything below it) under another unit',
  tag: 'units',
  permission: corePermissions['units.manage'],
  schema: {
    params: IdParams,
    body: Type.Object({ name: Type.Optional(Name), kind: Type.Optional(Kind), parent_id: Type.Optional(Parent) }, { additionalProperties: false }),
    response: Unit,
  },
  deps: { orgUnits: kernelRefs.orgUnits },
  errors: [commonErrors.conflict, coreErrors.unit_cycle],
  async handler({ params, body, db, deps, tenant, units, audit }) {
    const tree = await lockedTree(db);
    const before = reachableUnit(tree, units, params.id);
    const parentId = body.parent_id === undefined ? before.parent_id : body.parent_id;
    if (parentId !== before.parent_id) {
      checkParent(tree, units, parentId);
      if (parentId !== null && tree.subtree(params.id).includes(parentId)) {
        throw coreErrors.unit_cycle('A unit cannot move under itself or a unit below it', { errors: { parent_id: ['is this unit or one below it'] } });
      }
    }
    const after = await db.one<UnitRow>(
      `update org_units set name = $2, kind = $3, parent_id = $4, updated_at = now() where id = $1 returning id, parent_id, name, kind`,
      [params.id, body.name?.trim() ?? before.name, body.kind?.trim() ?? before.kind, parentId],
    );
    const changes = Object.fromEntries(
      (['name', 'kind', 'parent_id'] as const).filter((key) => before[key] !== after![key]).map((key) => [key, { from: before[key], to: after![key] }]),
    );
    if (Object.keys(changes).length > 0) {
      await audit({ action: parentId !== before.parent_id ? 'unit.moved' : 'unit.updated', targetType: 'unit', targetId: params.id, data: { changes } });
      db.afterCommit(() => deps.orgUnits.forget(tenant.id));
    }
    return view(new UnitTree(tree.rows.map((row) => (row.id === params.id ? after! : row))), after!);
  },
});

/** The tables whose rows belong to units (every foreign key into `org_units` but the tree's own and role assignments). */
async function unitTables(db: ScopedDb): Promise<{ table: string; column: string }[]> {
  return db.query<{ table: string; column: string }>(
    `select c.conrelid::regclass::text as table, a.attname as column
       from pg_constraint c
       join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[2]
      where c.contype = 'f' and c.confrelid = 'org_units'::regclass
        and c.conrelid not in ('org_units'::regclass, 'membership_roles'::regclass)
      order by 1`,
  );
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

export const deleteUnit = defineRoute({
  method: 'DELETE',
  path: '/units/:id',
  summary: 'Delete an organisation unit with no units below it; its records and role assignments move to `reassign_to`, or it must hold none',
  tag: 'units',
  permission: corePermissions['units.manage'],
  schema: {
    params: IdParams,
    query: Type.Object({ reassign_to: Type.Optional(Type.String({ format: 'uuid' })) }, { additionalProperties: false }),
    response: NoContent,
  },
  deps: { orgUnits: kernelRefs.orgUnits, tenantAccess: kernelRefs.tenantAccess },
  errors: [coreErrors.unit_in_use],
  async handler({ params, query, db, deps, tenant, units, audit }) {
    const tree = await lockedTree(db);
    const unit = reachableUnit(tree, units, params.id);
    const below = tree.children(params.id).length;
    if (below > 0) {
      throw coreErrors.unit_in_use(`This unit has ${below} unit(s) below it; move or delete them first`, { errors: { children: [String(below)] } });
    }
    const target = query.reassign_to;
    if (target !== undefined) {
      if (target === params.id || !tree.byId.has(target)) throw new ValidationError({ reassign_to: ['must be another existing unit'] });
      if (!reaches(units, target)) throw new ForbiddenError('You may only move records to units you manage');
    }
    const held: Record<string, string[]> = {};
    let movedHolders: string[] = [];
    for (const { table, column } of await unitTables(db)) {
      const sql = target
        ? `update ${quoteIdent(table)} set ${quoteIdent(column)} = $2 where ${quoteIdent(column)} = $1`
        : `select count(*)::int as count from ${quoteIdent(table)} where ${quoteIdent(column)} = $1`;
      const rows = await db.query<{ count: number }>(sql, target ? [params.id, target] : [params.id]);
      if (!target && rows[0]!.count > 0) held[table] = [String(rows[0]!.count)];
    }
    if (target) {
      // An assignment the member already holds in the target is dropped, not doubled.
      await db.query(
        `delete from membership_roles mr where mr.unit_id = $1 and exists (
           select 1 from membership_roles other where other.membership_id = mr.membership_id and other.role_id = mr.role_id and other.unit_id = $2)`,
        [params.id, target],
      );
      const reassigned = await db.query<{ user_id: string }>(
        `update membership_roles mr set unit_id = $2 from memberships m where mr.unit_id = $1 and m.id = mr.membership_id returning m.user_id`,
        [params.id, target],
      );
      movedHolders = reassigned.map((row) => row.user_id);
    } else {
      const assignments = await db.one<{ count: number }>('select count(*)::int as count from membership_roles where unit_id = $1', [params.id]);
      if (assignments!.count > 0) held.role_assignments = [String(assignments!.count)];
      if (Object.keys(held).length > 0) {
        throw coreErrors.unit_in_use('This unit still holds records or role assignments; delete it with `reassign_to` to move them to another unit', {
          errors: held,
        });
      }
    }
    await db.query('delete from org_units where id = $1', [params.id]);
    await audit({ action: 'unit.deleted', targetType: 'unit', targetId: params.id, data: { name: unit.name, kind: unit.kind, reassign_to: target ?? null } });
    db.afterCommit(async () => {
      await deps.orgUnits.forget(tenant.id);
      await deps.tenantAccess.forget(tenant.id, movedHolders);
    });
    return Reply.noContent();
  },
});

/** Routes for organisation units. */
export const unitRoutes: CoreRoute[] = [listUnits, getUnit, createUnit, updateUnit, deleteUnit];
