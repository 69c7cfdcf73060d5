import type { TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLms, buildCourse, type BuiltCourse, type Call, type LmsWorld } from './support.js';

let world: LmsWorld;
let admin: Call;
let viewer: Call;
let registrar: Call;
let member: Call;
let adminUser: TestUser;
let learner: TestUser;
let draft: BuiltCourse;
let published: BuiltCourse;
beforeAll(async () => {
  world = await bootLms();
  adminUser = await world.member(['admin']);
  admin = world.as(adminUser);
  viewer = world.as(await world.member(['viewer']));
  // Enrolments and reports are learners' data: no built-in role but admin holds them; a tenant grants them.
  const role = await world.t.request('POST', '/api/v1/roles', {
    headers: world.owner.headers,
    body: { name: 'registrar', permissions: ['lms.courses.view', 'lms.enrollments.view', 'lms.reports.view', 'lms.learning.access'] },
  });
  expect(role.status).toBe(201);
  registrar = world.as(await world.member(['registrar']));
  learner = await world.member(['member']);
  member = world.as(learner);
  draft = await buildCourse(world.as(world.owner), { status: 'draft' });
  published = await buildCourse(world.as(world.owner));
});
afterAll(() => world?.t.close());

describe('lms permissions and their default grants', () => {
  it('lms.courses.view (admin, viewer): drafts and content of every course', async () => {
    expect((await viewer('GET', '/courses?per_page=100')).body.data.map((course: { id: string }) => course.id)).toContain(draft.id);
    expect((await viewer('GET', `/lessons/${draft.lessonIds[0]}`)).status).toBe(200);
    expect((await member('GET', `/lessons/${draft.lessonIds[0]}`)).status).toBe(404);
    expect((await member('GET', '/courses?per_page=100')).body.data.map((course: { id: string }) => course.id)).not.toContain(draft.id);
  });

  it('lms.courses.manage (admin): create, change, delete any course', async () => {
    expect((await admin('POST', '/courses', { title: 'By admin', slug: 'by-admin' })).status).toBe(201);
    expect((await admin('PATCH', `/courses/${draft.id}`, { title: 'Edited' })).status).toBe(200);
    expect((await viewer('POST', '/courses', { title: 'By viewer', slug: 'by-viewer' })).status).toBe(403);
    expect((await viewer('PATCH', `/courses/${draft.id}`, { title: 'x' })).status).toBe(403);
    expect((await member('POST', '/courses', { title: 'By member', slug: 'by-member' })).status).toBe(403);
    expect((await viewer('DELETE', `/courses/${draft.id}`)).status).toBe(403);
  });

  it('lms.enrollments.view (admin) and lms.enrollments.manage (admin)', async () => {
    expect((await registrar('GET', '/enrollments')).status).toBe(200);
    expect((await registrar('GET', '/purchases')).status).toBe(200);
    expect((await member('GET', '/enrollments')).status).toBe(403);
    for (const path of ['/enrollments', '/purchases', `/courses/${published.id}/enrollments`]) expect((await viewer('GET', path)).status, path).toBe(403);
    expect((await registrar('POST', `/courses/${published.id}/enrollments`, { user_id: learner.id })).status).toBe(403);
    expect((await admin('POST', `/courses/${published.id}/enrollments`, { user_id: learner.id })).status).toBe(201);
    expect((await registrar('GET', `/learners/${learner.id}/progress`)).status).toBe(200);
    expect((await viewer('GET', `/learners/${learner.id}/progress`)).status).toBe(403);
    expect((await registrar('POST', '/notifications/run')).status).toBe(403);
    expect((await admin('POST', '/notifications/run')).status).toBe(202);
  });

  it('lms.reports.view (admin)', async () => {
    expect((await registrar('GET', `/courses/${published.id}/report`)).status).toBe(200);
    for (const path of ['report', 'report/learners', 'report.csv']) expect((await viewer('GET', `/courses/${published.id}/${path}`)).status, path).toBe(403);
    expect((await admin('GET', `/courses/${published.id}/report.csv`)).status).toBe(200);
    expect((await member('GET', `/courses/${published.id}/report`)).status).toBe(403);
  });

  it('lms.guardians.manage (admin)', async () => {
    expect((await admin('GET', '/guardians')).status).toBe(200);
    expect((await viewer('GET', '/guardians')).status).toBe(403);
    expect((await member('POST', '/guardians', { guardian_user_id: adminUser.id, learner_user_id: learner.id })).status).toBe(403);
  });

  it('lms.learning.access (admin, member, viewer, customer): without it, no catalogue and no learning', async () => {
    const role = await world.t.request('POST', '/api/v1/roles', { headers: world.owner.headers, body: { name: 'auditor', permissions: ['lms.reports.view'] } });
    expect(role.status).toBe(201);
    const auditor = world.as(await world.member(['auditor']));
    expect((await auditor('GET', `/courses/${published.id}/report`)).status).toBe(403);
    expect((await auditor('GET', '/my/courses')).status).toBe(403);
    expect((await auditor('GET', '/courses')).status).toBe(403);
    expect((await member('GET', '/my/courses')).status).toBe(200);
    expect((await viewer('GET', '/my/courses')).status).toBe(200);
  });

  it('needs a signed-in caller', async () => {
    const anonymous = await world.t.request('GET', '/api/v1/lms/courses', { headers: { 'x-tenant': world.owner.tenant!.slug } });
    expect(anonymous.status).toBe(401);
  });

  it('lists its permissions in the catalogue', async () => {
    const catalogue = await world.t.request('GET', '/api/v1/permissions', { headers: world.owner.headers });
    const names = JSON.stringify(catalogue.body.data);
    for (const name of [
      'lms.courses.view',
      'lms.courses.manage',
      'lms.enrollments.view',
      'lms.enrollments.manage',
      'lms.reports.view',
      'lms.guardians.manage',
      'lms.learning.access',
    ]) {
      expect(names).toContain(name);
    }
  });

  it('serves API tokens as the member who created them (management needs lms.learning.access too)', async () => {
    const created = await world.t.request('POST', '/api/v1/api-tokens', { headers: world.owner.headers, body: { name: 'sync', permissions: ['lms.*'] } });
    expect(created.status).toBe(201);
    const headers = { authorization: `Bearer ${created.body.data.token}`, 'x-tenant': world.owner.tenant!.slug };
    const course = await world.t.request('POST', '/api/v1/lms/courses', { headers, body: { title: 'Via token', slug: 'via-token' } });
    expect(course.status).toBe(201);
    expect((await world.t.request('PATCH', `/api/v1/lms/courses/${course.body.data.id}`, { headers, body: { status: 'published' } })).status).toBe(200);
    const narrow = await world.t.request('POST', '/api/v1/api-tokens', {
      headers: world.owner.headers,
      body: { name: 'narrow', permissions: ['lms.courses.manage'] },
    });
    const narrowHeaders = { authorization: `Bearer ${narrow.body.data.token}`, 'x-tenant': world.owner.tenant!.slug };
    expect((await world.t.request('PATCH', `/api/v1/lms/courses/${course.body.data.id}`, { headers: narrowHeaders, body: { title: 'x' } })).status).toBe(403);
  });
});

describe('bad query and path input on the learner routes', () => {
  it('answers 422', async () => {
    for (const path of [
      '/my/courses?page=0',
      '/my/certificates?per_page=0',
      '/learners/nope/progress',
      '/quizzes/nope/attempts',
      '/attempts/nope',
      '/my/courses/nope',
      '/courses?level=expert',
      '/guardians?learner_user_id=x',
    ]) {
      const response = await admin('GET', path);
      expect(response.status, path).toBe(422);
      expect(response.body.code).toBe('validation_failed');
    }
    for (const [method, path] of [
      ['POST', '/lessons/nope/complete'],
      ['DELETE', '/modules/nope'],
      ['DELETE', '/lessons/nope'],
      ['DELETE', '/enrollments/nope'],
      ['DELETE', '/guardians/nope'],
      ['DELETE', '/lessons/nope/quiz'],
      ['POST', '/attempts/nope/submit'],
    ] as const) {
      expect((await admin(method, path, method === 'POST' ? { answers: [] } : undefined)).status, `${method} ${path}`).toBe(422);
    }
    expect((await admin('POST', '/courses', 'not json')).status).toBe(400);
  });
});

describe('the OpenAPI document', () => {
  it('lists the LMS routes', async () => {
    const document = await world.t.request('GET', '/api/v1/openapi.json');
    expect(document.status).toBe(200);
    const paths = Object.keys(document.body.paths);
    for (const path of ['/api/v1/lms/courses', '/api/v1/lms/my/courses', '/api/v1/lms/courses/{id}/report.csv', '/api/v1/lms/verify/{tenant}/{code}'])
      expect(paths).toContain(path);
  });
});
