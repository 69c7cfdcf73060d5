import { randomUUID } from 'node:crypto';
import { addMember, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLms, buildCourse, otherTenant, type Call, type LmsWorld } from './support.js';

// A university: College of Science (Physics, Chemistry) and College of Arts (History, Music); a department admin
// (the admin role in Physics only), a college admin (admin in Science), a learner holding `member` tenant-wide.
let world: LmsWorld;
let owner: Call;
let physicsAdmin: Call;
let scienceAdmin: Call;
let learner: TestUser;
const unit = { university: '', science: '', physics: '', chemistry: '', arts: '', history: '', music: '' };
const course = { physics: '', chemistry: '', history: '', music: '' };
const enrollment = { physics: '', chemistry: '', history: '' };

async function newUnit(name: string, kind: string, parentId?: string): Promise<string> {
  const response = await world.t.request('POST', '/api/v1/units', {
    headers: world.owner.headers,
    body: { name, kind, ...(parentId ? { parent_id: parentId } : {}) },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.data.id as string;
}

/** A member holding `role` in one unit (and `tenantRoles` for the whole tenant: none by default). */
async function unitMember(role: string, unitId: string, tenantRoles: string[] = []): Promise<TestUser> {
  const roles = await world.t.request('GET', '/api/v1/roles?per_page=100', { headers: world.owner.headers });
  const roleId = (roles.body.data as { id: string; name: string }[]).find((candidate) => candidate.name === role)!.id;
  const user = await addMember(world.t, world.owner, tenantRoles);
  const granted = await world.t.request('POST', `/api/v1/members/${user.id}/unit-roles`, {
    headers: world.owner.headers,
    body: { role_id: roleId, unit_id: unitId },
  });
  expect(granted.status, JSON.stringify(granted.body)).toBe(201);
  return user;
}

async function courseIn(unitId: string, status = 'published'): Promise<string> {
  const built = await buildCourse(owner, { status, lessons: 1, course: { unit_id: unitId } });
  return built.id;
}

async function enrol(courseId: string): Promise<string> {
  const response = await owner('POST', `/courses/${courseId}/enrollments`, { user_id: learner.id });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.data.id as string;
}

const ids = (response: { body: { data: { id: string }[] } }) => response.body.data.map((row) => row.id).sort();

beforeAll(async () => {
  world = await bootLms();
  owner = world.as(world.owner);
  unit.university = await newUnit('University', 'university');
  unit.science = await newUnit('College of Science', 'college', unit.university);
  unit.physics = await newUnit('Physics', 'department', unit.science);
  unit.chemistry = await newUnit('Chemistry', 'department', unit.science);
  unit.arts = await newUnit('College of Arts', 'college', unit.university);
  unit.history = await newUnit('History', 'department', unit.arts);
  unit.music = await newUnit('Music', 'department', unit.arts);
  physicsAdmin = world.as(await unitMember('admin', unit.physics));
  scienceAdmin = world.as(await unitMember('admin', unit.science));
  learner = await world.member(['member']);
  course.physics = await courseIn(unit.physics);
  course.chemistry = await courseIn(unit.chemistry);
  course.history = await courseIn(unit.history);
  course.music = await courseIn(unit.music, 'draft');
  enrollment.physics = await enrol(course.physics);
  enrollment.chemistry = await enrol(course.chemistry);
  enrollment.history = await enrol(course.history);
});
afterAll(() => world?.t.close());

describe('LMS courses by organisation unit', () => {
  it('a department admin lists only her department’s courses, enrolments and report lines', async () => {
    const courses = await physicsAdmin('GET', '/courses?per_page=100');
    expect(courses.status).toBe(200);
    expect(ids(courses)).toEqual([course.physics]);
    expect(courses.body.data[0].unit_id).toBe(unit.physics);
    expect(ids(await physicsAdmin('GET', '/enrollments'))).toEqual([enrollment.physics]);
    const report = await physicsAdmin('GET', '/reports/courses');
    expect(report.status).toBe(200);
    expect(report.body.data.map((line: { course_id: string }) => line.course_id)).toEqual([course.physics]);
    expect((await physicsAdmin('GET', `/courses/${course.physics}/report`)).body.data.enrollments).toBe(1);
  });

  it('another department’s course is not found: detail, outline, lessons, learners, report', async () => {
    for (const path of [
      `/courses/${course.history}`,
      `/courses/${course.history}/enrollments`,
      `/courses/${course.history}/report`,
      `/enrollments/${enrollment.history}/progress`,
    ])
      expect((await physicsAdmin('GET', path)).status, path).toBe(404);
    expect((await physicsAdmin('PATCH', `/courses/${course.history}`, { title: 'Taken over' })).status).toBe(404);
    expect((await physicsAdmin('DELETE', `/enrollments/${enrollment.history}`)).status).toBe(404);
    expect((await physicsAdmin('POST', `/courses/${course.history}/enrollments`, { user_id: learner.id })).status).toBe(404);
    expect((await owner('GET', `/courses/${course.history}`)).body.data.title).not.toBe('Taken over');
  });

  it('she creates courses in her department (by default) but not in another: 403, nothing stored', async () => {
    const refused = await physicsAdmin('POST', '/courses', { title: 'Medieval Europe', slug: 'medieval-europe', unit_id: unit.history });
    expect(refused.status, JSON.stringify(refused.body)).toBe(403);
    expect((await owner('GET', '/courses?q=Medieval')).body.data).toEqual([]);
    const mine = await physicsAdmin('POST', '/courses', { title: 'Optics', slug: 'optics' });
    expect(mine.status, JSON.stringify(mine.body)).toBe(201);
    expect(mine.body.data.unit_id).toBe(unit.physics);
    await physicsAdmin('DELETE', `/courses/${mine.body.data.id}`);
  });

  it('she cannot move her course to another department: 403, the course stays', async () => {
    const moved = await physicsAdmin('PATCH', `/courses/${course.physics}`, { unit_id: unit.music });
    expect(moved.status, JSON.stringify(moved.body)).toBe(403);
    expect((await owner('GET', `/courses/${course.physics}`)).body.data.unit_id).toBe(unit.physics);
  });

  it('a college admin sees every department of her college: courses, enrolments, reports', async () => {
    expect(ids(await scienceAdmin('GET', '/courses?per_page=100'))).toEqual([course.physics, course.chemistry].sort());
    expect(ids(await scienceAdmin('GET', '/enrollments'))).toEqual([enrollment.physics, enrollment.chemistry].sort());
    expect(ids(await scienceAdmin('GET', `/enrollments?unit=${unit.chemistry}`))).toEqual([enrollment.chemistry]);
    const report = await scienceAdmin('GET', '/reports/courses');
    expect(report.body.data.map((line: { course_id: string }) => line.course_id).sort()).toEqual([course.physics, course.chemistry].sort());
    const chemistry = await scienceAdmin('GET', `/reports/courses?unit=${unit.chemistry}`);
    expect(chemistry.body.data).toMatchObject([{ course_id: course.chemistry, unit_id: unit.chemistry, enrollments: 1, completion_rate: 0 }]);
    expect((await scienceAdmin('GET', `/courses/${course.chemistry}/report/learners`)).body.data).toHaveLength(1);
    expect((await scienceAdmin('GET', `/courses/${course.history}/report`)).status).toBe(404);
    // Her learner's progress across the tenant: the enrolments of her college only.
    const progress = await scienceAdmin('GET', `/learners/${learner.id}/progress`);
    expect(progress.body.data.map((row: { course_id: string }) => row.course_id).sort()).toEqual([course.physics, course.chemistry].sort());
  });

  it('the owner sees every unit; `unit` filters a unit and those below it', async () => {
    expect(ids(await owner('GET', '/courses?per_page=100'))).toEqual(Object.values(course).sort());
    expect(ids(await owner('GET', `/courses?unit=${unit.science}`))).toEqual([course.physics, course.chemistry].sort());
    expect(ids(await owner('GET', `/courses?unit=${unit.music}`))).toEqual([course.music]);
    expect((await owner('GET', `/reports/courses?unit=${unit.arts}`)).body.data).toHaveLength(2);
    expect((await owner('GET', `/courses?unit=${randomUUID()}`)).status).toBe(422);
  });

  it('a learner of the whole tenant who administers Physics is staff in Physics only', async () => {
    const both = world.as(await unitMember('admin', unit.physics, ['member']));
    // Published courses of every unit (she learns tenant-wide), drafts of Physics only.
    const draft = await courseIn(unit.physics, 'draft');
    const seen = ids(await both('GET', '/courses?per_page=100'));
    expect(seen).toEqual([course.physics, course.chemistry, course.history, draft].sort());
    expect((await both('GET', `/courses/${course.music}`)).status).toBe(404);
    expect((await both('GET', `/courses/${draft}`)).status).toBe(200);
    for (const path of [`/courses/${course.history}/enrollments`, `/courses/${course.history}/report`])
      expect((await both('GET', path)).status, path).toBe(403);
    expect((await both('PATCH', `/courses/${course.history}`, { title: 'Taken over' })).status).toBe(403);
    expect((await both('POST', `/courses/${course.history}/enrollments`, { user_id: learner.id })).status).toBe(403);
    expect((await both('GET', `/courses/${course.physics}/report`)).status).toBe(200);
    expect((await owner('DELETE', `/courses/${draft}`)).status).toBe(204);
  });

  it('learners (a tenant-wide role) see published courses of every unit, not drafts', async () => {
    const seen = ids(await world.as(learner)('GET', '/courses?per_page=100'));
    expect(seen).toEqual([course.physics, course.chemistry, course.history].sort());
    expect((await world.as(learner)('GET', '/my/courses')).body.data).toHaveLength(3);
  });

  it('a forged unit id (none, another tenant’s) is 422 for anyone, nothing stored', async () => {
    const stranger = await otherTenant(world);
    const foreign = await world.t.request('POST', '/api/v1/units', { headers: stranger.headers, body: { name: 'Elsewhere', kind: 'college' } });
    expect(foreign.status).toBe(201);
    for (const unitId of [randomUUID(), foreign.body.data.id as string]) {
      const created = await owner('POST', '/courses', { title: 'Forged', slug: `forged-${unitId.slice(0, 8)}`, unit_id: unitId });
      expect(created.status, JSON.stringify(created.body)).toBe(422);
      expect(created.body.errors.unit_id).toBeDefined();
      expect((await physicsAdmin('POST', '/courses', { title: 'Forged', slug: 'forged-by-her', unit_id: unitId })).status).toBe(422);
      expect((await owner('PATCH', `/courses/${course.music}`, { unit_id: unitId })).status).toBe(422);
    }
    expect((await owner('GET', '/courses?q=Forged')).body.data).toEqual([]);
  });

  it('enrolments follow their course to another unit, in the same change', async () => {
    const moved = await scienceAdmin('PATCH', `/courses/${course.physics}`, { unit_id: unit.chemistry });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body.data.unit_id).toBe(unit.chemistry);
    const enrolments = await owner('GET', `/enrollments?course_id=${course.physics}`);
    expect(enrolments.body.data.map((row: { unit_id: string }) => row.unit_id)).toEqual([unit.chemistry]);
    // The department admin of Physics no longer sees the course or its learner.
    expect((await physicsAdmin('GET', `/courses/${course.physics}`)).status).toBe(404);
    expect((await physicsAdmin('GET', '/enrollments')).body.data).toEqual([]);
    // Moving to the whole tenant (no unit) takes a tenant-wide manager: the college admin may not.
    expect((await scienceAdmin('PATCH', `/courses/${course.physics}`, { unit_id: null })).status).toBe(403);
    const audit = await world.t.request('GET', `/api/v1/audit-log?action=lms.course.moved&target_id=${course.physics}`, { headers: world.owner.headers });
    expect(audit.body.data).toHaveLength(1);
    expect(audit.body.data[0].data).toMatchObject({ enrollments_moved: 1, changes: { unit_id: { from: unit.physics, to: unit.chemistry } } });
  });
});
