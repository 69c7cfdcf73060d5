import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { dossiersPlugin } from './dossiers-plugin.js';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [dossiersPlugin] });
});
afterAll(() => t.close());

interface University {
  owner: TestUser;
  ids: Record<'science' | 'arts' | 'physics' | 'chemistry' | 'history' | 'music', string>;
}

async function addUnit(user: TestUser, name: string, kind: string, parent?: string): Promise<string> {
  const created = await t.request('POST', '/api/v1/units', { headers: user.headers, body: { name, kind, ...(parent ? { parent_id: parent } : {}) } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.data.id;
}

/** Two colleges of two departments each, built through the API. */
async function university(): Promise<University> {
  const owner = await signUp(t, { tenant: true });
  const science = await addUnit(owner, 'College of Science', 'college');
  const arts = await addUnit(owner, 'College of Arts', 'college');
  const ids = {
    science,
    arts,
    physics: await addUnit(owner, 'Physics', 'department', science),
    chemistry: await addUnit(owner, 'Chemistry', 'department', science),
    history: await addUnit(owner, 'History', 'department', arts),
    music: await addUnit(owner, 'Music', 'department', arts),
  };
  return { owner, ids };
}

async function roleId(owner: TestUser, name: string): Promise<string> {
  const roles = await t.request('GET', '/api/v1/roles?per_page=100', { headers: owner.headers });
  return roles.body.data.find((role: { name: string }) => role.name === name).id;
}

/** A member holding no role for the whole tenant, and `role` in `unit`. */
async function unitMember(owner: TestUser, role: string, unit: string, by: TestUser = owner): Promise<TestUser> {
  const member = await addMember(t, owner, []);
  const given = await t.request('POST', `/api/v1/members/${member.id}/unit-roles`, {
    headers: by.headers,
    body: { role_id: await roleId(owner, role), unit_id: unit },
  });
  expect(given.status, JSON.stringify(given.body)).toBe(201);
  return member;
}

async function dossier(user: TestUser, title: string, unit: string | null): Promise<string> {
  const created = await t.request('POST', '/api/v1/dossiers/files', { headers: user.headers, body: { title, unit_id: unit } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.data.id;
}

const titles = (response: { body: { data: { title: string }[] } }) => response.body.data.map((row) => row.title);

describe('the unit tree', () => {
  it('lists units parents first with their path, and finds them by name', async () => {
    const { owner, ids } = await university();
    const listed = await t.request('GET', '/api/v1/units?per_page=100', { headers: owner.headers });
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((unit: { label: string }) => unit.label)).toEqual([
      'College of Arts',
      'College of Arts › History',
      'College of Arts › Music',
      'College of Science',
      'College of Science › Chemistry',
      'College of Science › Physics',
    ]);
    const physics = await t.request('GET', `/api/v1/units/${ids.physics}`, { headers: owner.headers });
    expect(physics.body.data).toEqual({
      id: ids.physics,
      parent_id: ids.science,
      name: 'Physics',
      kind: 'department',
      path: ['College of Science', 'Physics'],
      label: 'College of Science › Physics',
      depth: 1,
      children: 0,
    });
    const found = await t.request('GET', '/api/v1/units?q=physic', { headers: owner.headers });
    expect(found.body.data.map((unit: { id: string }) => unit.id)).toEqual([ids.physics]);
    expect(found.body.meta.pagination.total).toBe(1);
  });

  it('moves a unit with everything below it; refuses a cycle, an unknown parent and a sibling of the same name', async () => {
    const { owner, ids } = await university();
    const lab = await addUnit(owner, 'Lab', 'team', ids.chemistry);
    const moved = await t.request('PATCH', `/api/v1/units/${ids.chemistry}`, { headers: owner.headers, body: { parent_id: ids.arts } });
    expect(moved.status).toBe(200);
    expect((await t.request('GET', `/api/v1/units/${lab}`, { headers: owner.headers })).body.data.label).toBe('College of Arts › Chemistry › Lab');

    for (const parent of [lab, ids.chemistry]) {
      const cycle = await t.request('PATCH', `/api/v1/units/${ids.chemistry}`, { headers: owner.headers, body: { parent_id: parent } });
      expect(cycle.status).toBe(422);
      expect(cycle.body.code).toBe('unit_cycle');
    }
    const unknown = await t.request('PATCH', `/api/v1/units/${ids.chemistry}`, { headers: owner.headers, body: { parent_id: randomUUID() } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toHaveProperty('parent_id');
    const twin = await t.request('POST', '/api/v1/units', { headers: owner.headers, body: { name: 'history', kind: 'department', parent_id: ids.arts } });
    expect(twin.status).toBe(409);
    const blank = await t.request('POST', '/api/v1/units', { headers: owner.headers, body: { name: '  ', kind: 'department' } });
    expect(blank.status).toBe(422);
    expect((await t.request('GET', `/api/v1/units/${ids.chemistry}`, { headers: owner.headers })).body.data.parent_id).toBe(ids.arts);
  });

  it("gives no role to another tenant's member, in another tenant's unit, nor takes one away", async () => {
    const a = await university();
    const b = await university();
    const teacher = await unitMember(a.owner, 'member', a.ids.physics);
    const assignment = (await t.request('GET', `/api/v1/members/${teacher.id}`, { headers: a.owner.headers })).body.data.unit_roles[0].id;
    const bMember = await roleId(b.owner, 'member');
    const toStranger = await t.request('POST', `/api/v1/members/${teacher.id}/unit-roles`, {
      headers: b.owner.headers,
      body: { role_id: bMember, unit_id: b.ids.physics },
    });
    expect(toStranger.status).toBe(404);
    const inForeignUnit = await t.request('POST', `/api/v1/members/${teacher.id}/unit-roles`, {
      headers: a.owner.headers,
      body: { role_id: await roleId(a.owner, 'admin'), unit_id: b.ids.physics },
    });
    expect(inForeignUnit.status).toBe(422);
    expect((await t.request('DELETE', `/api/v1/members/${teacher.id}/unit-roles/${assignment}`, { headers: b.owner.headers })).status).toBe(404);
    const kept = await t.request('GET', `/api/v1/members/${teacher.id}`, { headers: a.owner.headers });
    expect(kept.body.data.unit_roles.map((held: { id: string }) => held.id)).toEqual([assignment]);
  });

  it("never takes another tenant's unit as a parent, and never shows it", async () => {
    const a = await university();
    const b = await university();
    const foreign = await t.request('POST', '/api/v1/units', { headers: a.owner.headers, body: { name: 'Annex', kind: 'x', parent_id: b.ids.physics } });
    expect(foreign.status).toBe(422);
    expect((await t.request('GET', `/api/v1/units/${b.ids.physics}`, { headers: a.owner.headers })).status).toBe(404);
    expect((await t.request('PATCH', `/api/v1/units/${b.ids.physics}`, { headers: a.owner.headers, body: { name: 'Mine' } })).status).toBe(404);
    expect((await t.request('DELETE', `/api/v1/units/${b.ids.music}`, { headers: a.owner.headers })).status).toBe(404);
    const mover = await t.request('PATCH', `/api/v1/units/${a.ids.physics}`, { headers: a.owner.headers, body: { parent_id: b.ids.arts } });
    expect(mover.status).toBe(422);
    expect((await t.request('GET', `/api/v1/units/${b.ids.physics}`, { headers: b.owner.headers })).body.data.name).toBe('Physics');
  });

  it('keeps a unit holding units, records or role assignments until they move with reassign_to', async () => {
    const { owner, ids } = await university();
    await t.enable(owner, 'dossiers');
    const withChildren = await t.request('DELETE', `/api/v1/units/${ids.science}`, { headers: owner.headers });
    expect(withChildren.status).toBe(409);
    expect(withChildren.body.code).toBe('unit_in_use');

    const file = await dossier(owner, 'Syllabus', ids.physics);
    const teacher = await unitMember(owner, 'member', ids.physics);
    const held = await t.request('DELETE', `/api/v1/units/${ids.physics}`, { headers: owner.headers });
    expect(held.status).toBe(409);
    expect(held.body.errors).toEqual({ dossiers_files: ['1'], role_assignments: ['1'] });
    expect((await t.request('GET', `/api/v1/dossiers/files/${file}`, { headers: owner.headers })).body.data.unit_id).toBe(ids.physics);

    const toSelf = await t.request('DELETE', `/api/v1/units/${ids.physics}?reassign_to=${ids.physics}`, { headers: owner.headers });
    expect(toSelf.status).toBe(422);
    const gone = await t.request('DELETE', `/api/v1/units/${ids.physics}?reassign_to=${ids.chemistry}`, { headers: owner.headers });
    expect(gone.status).toBe(204);
    expect((await t.request('GET', `/api/v1/dossiers/files/${file}`, { headers: owner.headers })).body.data.unit_id).toBe(ids.chemistry);
    // The teacher's role followed: she now reaches Chemistry.
    expect(titles(await t.request('GET', '/api/v1/dossiers/files', { headers: teacher.headers }))).toEqual(['Syllabus']);
    const member = await t.request('GET', `/api/v1/members/${teacher.id}`, { headers: owner.headers });
    expect(member.body.data.unit_roles).toEqual([
      { id: expect.any(String), role: { id: expect.any(String), name: 'member' }, unit: { id: ids.chemistry, name: 'Chemistry' } },
    ]);
  });
});

describe('roles in units, enforced by the database', () => {
  it('shows a department admin only her department, through a query with no unit filter', async () => {
    const { owner, ids } = await university();
    await t.enable(owner, 'dossiers');
    for (const [title, unit] of [
      ['Optics', ids.physics],
      ['Organic', ids.chemistry],
      ['Rome', ids.history],
      ['Bach', ids.music],
      ['Charter', null],
    ] as const)
      await dossier(owner, title, unit);
    const physicsAdmin = await unitMember(owner, 'admin', ids.physics);
    const scienceAdmin = await unitMember(owner, 'admin', ids.science);

    expect(titles(await t.request('GET', '/api/v1/dossiers/files', { headers: physicsAdmin.headers }))).toEqual(['Optics']);
    expect(titles(await t.request('GET', '/api/v1/dossiers/files', { headers: scienceAdmin.headers }))).toEqual(['Optics', 'Organic']);
    expect(titles(await t.request('GET', '/api/v1/dossiers/files', { headers: owner.headers }))).toEqual(['Bach', 'Charter', 'Optics', 'Organic', 'Rome']);
    // Filtering by a unit the caller does not reach finds nothing, rather than another unit's rows.
    expect(titles(await t.request('GET', `/api/v1/dossiers/files?unit=${ids.arts}`, { headers: scienceAdmin.headers }))).toEqual([]);
    expect((await t.request('GET', '/api/v1/dossiers/count', { headers: physicsAdmin.headers })).body.data).toEqual({ count: 1, whole: false, reach: 1 });
    expect((await t.request('GET', '/api/v1/dossiers/count', { headers: scienceAdmin.headers })).body.data).toEqual({ count: 2, whole: false, reach: 3 });
    expect((await t.request('GET', '/api/v1/dossiers/count', { headers: owner.headers })).body.data).toEqual({ count: 5, whole: true, reach: 0 });

    const all = (await t.request('GET', '/api/v1/dossiers/files', { headers: owner.headers })).body.data as { id: string; title: string }[];
    const rome = all.find((row) => row.title === 'Rome')!.id;
    expect((await t.request('GET', `/api/v1/dossiers/files/${rome}`, { headers: physicsAdmin.headers })).status).toBe(404);
    expect((await t.request('PATCH', `/api/v1/dossiers/files/${rome}`, { headers: physicsAdmin.headers, body: { unit_id: ids.physics } })).status).toBe(404);
  });

  it('runs a job queued by a unit-scoped member in her units only, and the owner’s for the whole tenant', async () => {
    const { owner, ids } = await university();
    await t.enable(owner, 'dossiers');
    for (const [title, unit] of [
      ['Optics', ids.physics],
      ['Organic', ids.chemistry],
      ['Rome', ids.history],
    ] as const)
      await dossier(owner, title, unit);
    const physicsAdmin = await unitMember(owner, 'admin', ids.physics);
    expect((await t.request('POST', '/api/v1/dossiers/tally', { headers: physicsAdmin.headers })).status).toBe(200);
    await t.drainJobs();
    expect((await t.request('POST', '/api/v1/dossiers/tally', { headers: owner.headers })).status).toBe(200);
    await t.drainJobs();
    expect((await t.request('GET', '/api/v1/dossiers/tallies', { headers: owner.headers })).body.data).toEqual([1, 3]);
  });

  it('refuses a record put outside the caller’s units (403) or in a unit that does not exist here (422), changing nothing', async () => {
    const { owner, ids } = await university();
    const other = await university();
    await t.enable(owner, 'dossiers');
    const physicsAdmin = await unitMember(owner, 'admin', ids.physics);
    const mine = await dossier(physicsAdmin, 'Optics', ids.physics);

    const elsewhere = await t.request('POST', '/api/v1/dossiers/files', { headers: physicsAdmin.headers, body: { title: 'Rome', unit_id: ids.history } });
    expect(elsewhere.status).toBe(403);
    const nowhere = await t.request('POST', '/api/v1/dossiers/files', { headers: physicsAdmin.headers, body: { title: 'Loose', unit_id: null } });
    expect(nowhere.status).toBe(403);
    const moveOut = await t.request('PATCH', `/api/v1/dossiers/files/${mine}`, { headers: physicsAdmin.headers, body: { unit_id: ids.music } });
    expect(moveOut.status).toBe(403);
    for (const forged of [randomUUID(), other.ids.physics]) {
      const response = await t.request('POST', '/api/v1/dossiers/files', { headers: owner.headers, body: { title: 'Forged', unit_id: forged } });
      expect(response.status).toBe(422);
      expect(response.body.errors).toEqual({ unit_id: ['refers to a record that does not exist'] });
    }
    expect(titles(await t.request('GET', '/api/v1/dossiers/files', { headers: owner.headers }))).toEqual(['Optics']);
    expect((await t.request('GET', `/api/v1/dossiers/files/${mine}`, { headers: owner.headers })).body.data.unit_id).toBe(ids.physics);
  });

  it('answers ctx.can per unit and /me/permissions with the units', async () => {
    const { owner, ids } = await university();
    await t.enable(owner, 'dossiers');
    const scienceAdmin = await unitMember(owner, 'admin', ids.science);
    const can = async (unit: string) => (await t.request('GET', `/api/v1/dossiers/can?unit=${unit}`, { headers: scienceAdmin.headers })).body.data;
    expect(await can(ids.physics)).toEqual({ anywhere: true, here: true, tenant: false });
    expect(await can(ids.history)).toEqual({ anywhere: true, here: false, tenant: false });
    const mine = await t.request('GET', '/api/v1/me/permissions', { headers: scienceAdmin.headers });
    expect(mine.body.data.permissions).toEqual([]);
    expect(mine.body.data.units).toEqual([{ unit_id: ids.science, permissions: expect.arrayContaining(['dossiers.files.manage', 'core.units.manage']) }]);
    // A member with no role anywhere reaches no route that needs a permission.
    const nobody = await addMember(t, owner, []);
    expect((await t.request('GET', '/api/v1/dossiers/files', { headers: nobody.headers })).status).toBe(403);
  });

  it('grants in a unit only what may be held in a unit: a unit admin cannot touch what belongs to the whole tenant', async () => {
    const { owner, ids } = await university();
    await t.enable(owner, 'dossiers');
    const scienceAdmin = await unitMember(owner, 'admin', ids.science);
    const refused: [string, string, unknown][] = [
      ['PATCH', '/api/v1/tenant', { name: 'Renamed' }],
      ['POST', '/api/v1/roles', { name: 'Mine', permissions: [] }],
      ['POST', '/api/v1/marketplace/dossiers/disable', {}],
      ['POST', '/api/v1/api-tokens', { name: 'mine', permissions: [] }],
      ['POST', '/api/v1/invitations', { email: `x-${randomUUID()}@example.test`, roles: [] }],
      ['PATCH', `/api/v1/members/${owner.id}`, { roles: [] }],
      ['DELETE', `/api/v1/members/${owner.id}`, undefined],
    ];
    for (const [method, path, body] of refused) {
      const response = await t.request(method, path, { headers: scienceAdmin.headers, ...(body === undefined ? {} : { body }) });
      expect(response.status, `${method} ${path}`).toBe(403);
    }
    expect((await t.request('GET', '/api/v1/tenant', { headers: owner.headers })).body.data.name).not.toBe('Renamed');
    const granted = (await t.request('GET', '/api/v1/me/permissions', { headers: scienceAdmin.headers })).body.data.units[0].permissions as string[];
    expect(granted.sort()).toEqual([
      'core.audit.view',
      'core.members.view',
      'core.roles.view',
      'core.units.manage',
      'core.units.view',
      'dossiers.files.manage',
      'dossiers.files.view',
    ]);
  });

  it('lets a college admin manage her college only: no wider scope, no tenant-wide roles, no units at the top', async () => {
    const { owner, ids } = await university();
    const scienceAdmin = await unitMember(owner, 'admin', ids.science);
    const units = await t.request('GET', '/api/v1/units?per_page=100', { headers: scienceAdmin.headers });
    expect(units.body.data.map((unit: { name: string }) => unit.name)).toEqual(['College of Science', 'Chemistry', 'Physics']);
    expect((await t.request('GET', `/api/v1/units/${ids.history}`, { headers: scienceAdmin.headers })).status).toBe(404);

    const lab = await t.request('POST', '/api/v1/units', { headers: scienceAdmin.headers, body: { name: 'Lab', kind: 'team', parent_id: ids.physics } });
    expect(lab.status).toBe(201);
    expect((await t.request('POST', '/api/v1/units', { headers: scienceAdmin.headers, body: { name: 'Annex', kind: 'college' } })).status).toBe(403);
    expect((await t.request('PATCH', `/api/v1/units/${ids.physics}`, { headers: scienceAdmin.headers, body: { parent_id: ids.arts } })).status).toBe(403);

    const teacher = await unitMember(owner, 'member', ids.physics, scienceAdmin);
    const wider = await t.request('POST', `/api/v1/members/${teacher.id}/unit-roles`, {
      headers: scienceAdmin.headers,
      body: { role_id: await roleId(owner, 'member'), unit_id: ids.history },
    });
    expect(wider.status).toBe(403);
    const ownerInUnit = await t.request('POST', `/api/v1/members/${teacher.id}/unit-roles`, {
      headers: owner.headers,
      body: { role_id: await roleId(owner, 'owner'), unit_id: ids.physics },
    });
    expect(ownerInUnit.status).toBe(422);
    const tenantWide = await t.request('PATCH', `/api/v1/members/${teacher.id}`, {
      headers: scienceAdmin.headers,
      body: { roles: [await roleId(owner, 'viewer')] },
    });
    expect(tenantWide.status).toBe(403);
    const again = await t.request('POST', `/api/v1/members/${teacher.id}/unit-roles`, {
      headers: owner.headers,
      body: { role_id: await roleId(owner, 'member'), unit_id: ids.physics },
    });
    expect(again.status).toBe(409);

    const assignment = (await t.request('GET', `/api/v1/members/${teacher.id}`, { headers: owner.headers })).body.data.unit_roles[0].id;
    const historyAdmin = await unitMember(owner, 'admin', ids.history);
    expect((await t.request('DELETE', `/api/v1/members/${teacher.id}/unit-roles/${assignment}`, { headers: historyAdmin.headers })).status).toBe(403);
    expect((await t.request('DELETE', `/api/v1/members/${teacher.id}/unit-roles/${assignment}`, { headers: scienceAdmin.headers })).status).toBe(204);
    expect((await t.request('GET', `/api/v1/members/${teacher.id}`, { headers: owner.headers })).body.data.unit_roles).toEqual([]);
    const actions = await t.request('GET', '/api/v1/audit-log?action=member.&per_page=100', { headers: owner.headers });
    expect(actions.body.data.map((entry: { action: string }) => entry.action).filter((action: string) => action.startsWith('member.unit_role'))).toEqual([
      'member.unit_role_removed',
      'member.unit_role_added',
      'member.unit_role_added',
      'member.unit_role_added',
    ]);
  });
});
