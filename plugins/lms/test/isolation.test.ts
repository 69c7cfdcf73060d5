import type { TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLms, buildCourse, otherTenant, type Call, type LmsWorld } from './support.js';

let world: LmsWorld;
let a: Call;
let b: TestUser;
let asB: Call;
const ids: Record<string, string> = {};
let certificateCode = '';

beforeAll(async () => {
  world = await bootLms();
  a = world.as(world.owner);
  b = await otherTenant(world);
  asB = world.as(b);
  const learner = await world.member();
  const parent = await world.member();
  const course = await buildCourse(a, { lessons: 1 });
  const quiz = await a('PUT', `/lessons/${course.lessonIds[0]}/quiz`, {
    title: 'Q',
    pass_mark: 0,
    questions: [{ kind: 'short', prompt: '?', accepted_answers: ['x'] }],
  });
  const enrollment = await world.as(learner)('POST', `/courses/${course.id}/enroll`);
  const attempt = await world.as(learner)('POST', `/quizzes/${quiz.body.data.id}/attempts`);
  await world.as(learner)('POST', `/attempts/${attempt.body.data.attempt.id}/submit`, { answers: [] });
  await world.as(learner)('POST', `/lessons/${course.lessonIds[0]}/complete`);
  const link = await a('POST', '/guardians', { guardian_user_id: parent.id, learner_user_id: learner.id });
  Object.assign(ids, {
    course: course.id,
    module: course.moduleIds[0],
    lesson: course.lessonIds[0],
    quiz: quiz.body.data.id,
    enrollment: enrollment.body.data.id,
    attempt: attempt.body.data.attempt.id,
    guardian: link.body.data.id,
    learner: learner.id,
  });
  certificateCode = (await world.as(learner)('GET', '/my/certificates')).body.data[0].code;
  const [purchase] = await world.t.sql<{ id: string }>(
    "insert into lms_purchases (tenant_id, order_id, course_id, customer_email, outcome) values ($1, 'order-1', $2, 'guest@example.test', 'no_member') returning id",
    [world.owner.tenant!.id, course.id],
  );
  ids.purchase = purchase!.id;
});
afterAll(() => world?.t.close());

describe('lms tenant isolation', () => {
  it('answers 404 to tenant B for every route naming one of tenant A’s resources', async () => {
    const attempts: [string, string, unknown?][] = [
      ['GET', `/courses/${ids.course}`],
      ['PATCH', `/courses/${ids.course}`, { title: 'B was here' }],
      ['DELETE', `/courses/${ids.course}`],
      ['POST', `/courses/${ids.course}/modules`, { title: 'x' }],
      ['PUT', `/courses/${ids.course}/modules/order`, { ids: [ids.module] }],
      ['PATCH', `/modules/${ids.module}`, { title: 'x' }],
      ['DELETE', `/modules/${ids.module}`],
      ['POST', `/modules/${ids.module}/lessons`, { title: 'x' }],
      ['PUT', `/modules/${ids.module}/lessons/order`, { ids: [ids.lesson] }],
      ['GET', `/lessons/${ids.lesson}`],
      ['PATCH', `/lessons/${ids.lesson}`, { title: 'x' }],
      ['DELETE', `/lessons/${ids.lesson}`],
      ['POST', `/lessons/${ids.lesson}/complete`],
      ['PUT', `/lessons/${ids.lesson}/position`, { position_seconds: 1 }],
      ['GET', `/lessons/${ids.lesson}/quiz`],
      ['PUT', `/lessons/${ids.lesson}/quiz`, { title: 'Q', pass_mark: 0, questions: [{ kind: 'short', prompt: '?', accepted_answers: ['x'] }] }],
      ['DELETE', `/lessons/${ids.lesson}/quiz`],
      ['POST', `/quizzes/${ids.quiz}/attempts`],
      ['GET', `/quizzes/${ids.quiz}/attempts`],
      ['GET', `/attempts/${ids.attempt}`],
      ['POST', `/attempts/${ids.attempt}/submit`, { answers: [] }],
      ['POST', `/courses/${ids.course}/enroll`],
      ['GET', `/courses/${ids.course}/enrollments`],
      ['POST', `/courses/${ids.course}/enrollments`, { user_id: b.id }],
      ['PATCH', `/enrollments/${ids.enrollment}`, { expires_at: null }],
      ['DELETE', `/enrollments/${ids.enrollment}`],
      ['GET', `/my/courses/${ids.course}`],
      ['GET', `/courses/${ids.course}/report`],
      ['GET', `/courses/${ids.course}/report/learners`],
      ['GET', `/courses/${ids.course}/report.csv`],
      ['DELETE', `/guardians/${ids.guardian}`],
      ['POST', `/purchases/${ids.purchase}/enroll`, { user_id: b.id }],
    ];
    for (const [method, path, body] of attempts) {
      const response = await asB(method, path, body);
      expect([403, 404], `${method} ${path}: ${response.status}`).toContain(response.status);
      if (response.status === 403) expect(path, 'only "enrol first" may be 403').toMatch(/\/my\/courses\//);
    }
    expect((await a('GET', `/courses/${ids.course}`)).body.data.title).not.toBe('B was here');
    expect((await a('GET', `/lessons/${ids.lesson}/quiz`)).status).toBe(200);
    expect(await world.t.sql('select id from lms_enrollments where id = $1', [ids.enrollment])).toHaveLength(1);
  });

  it('lists and counts nothing of tenant A’s for tenant B', async () => {
    for (const path of ['/courses', '/enrollments', '/guardians', '/purchases', '/my/courses', '/my/certificates']) {
      const response = await asB('GET', path);
      expect(response.status, path).toBe(200);
      expect(response.body.data, path).toEqual([]);
      expect(response.body.meta.pagination.total, path).toBe(0);
    }
    expect((await asB('GET', `/enrollments?course_id=${ids.course}`)).body.meta.pagination.total).toBe(0);
    expect((await asB('GET', `/learners/${ids.learner}/progress`)).body.data).toEqual([]);
    expect((await asB('GET', '/my/learners')).body.data).toEqual([]);
    expect((await asB('POST', '/guardians', { guardian_user_id: b.id, learner_user_id: ids.learner })).status).toBe(422);
  });

  it('verifies tenant A’s certificate only under tenant A', async () => {
    const underA = await world.t.request('GET', `/api/v1/lms/certificates/verify/${certificateCode}`, { headers: { 'x-tenant': world.owner.tenant!.slug } });
    expect(underA.status).toBe(200);
    expect(Object.keys(underA.body.data).sort()).toEqual(['course', 'date', 'name']);
    const underB = await world.t.request('GET', `/api/v1/lms/certificates/verify/${certificateCode}`, { headers: { 'x-tenant': b.tenant!.slug } });
    expect(underB.status).toBe(404);
    expect((await world.t.request('GET', `/api/v1/lms/verify/${b.tenant!.slug}/${certificateCode}`)).status).toBe(404);
    expect((await world.t.request('GET', `/api/v1/lms/verify/${world.owner.tenant!.slug}/${certificateCode}`)).status).toBe(200);
    expect((await world.t.request('GET', `/api/v1/lms/certificates/verify/${certificateCode}`)).status).toBe(400);
  });

  it('refuses B’s user on A’s tenant, and answers plugin_not_enabled where LMS is off', async () => {
    const response = await world.t.request('GET', '/api/v1/lms/courses', { headers: { ...b.headers, 'x-tenant': world.owner.tenant!.slug } });
    expect(response.status).toBe(403);
    await world.t.request('POST', '/api/v1/marketplace/lms/disable', { headers: b.headers });
    const off = await asB('GET', '/courses');
    expect(off.status).toBe(404);
    expect(off.body.code).toBe('plugin_not_enabled');
    expect((await world.t.request('GET', `/api/v1/lms/verify/${b.tenant!.slug}/${certificateCode}`)).status).toBe(404);
  });
});
