import type { TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLms, buildCourse, type Call, type LmsWorld } from './support.js';

let world: LmsWorld;
let admin: Call;
let learner: TestUser;
let student: Call;
beforeAll(async () => {
  world = await bootLms();
  admin = world.as(world.owner);
  learner = await world.member();
  student = world.as(learner);
});
afterAll(() => world?.t.close());

describe('enrolment by staff', () => {
  it('enrols a member (idempotently), lists, filters, changes expiry and unenrols', async () => {
    const course = await buildCourse(admin);
    const created = await admin('POST', `/courses/${course.id}/enrollments`, { user_id: learner.id });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ source: 'manual', user_id: learner.id, expires_at: null });
    const again = await admin('POST', `/courses/${course.id}/enrollments`, { user_id: learner.id, expires_at: '2099-01-01T00:00:00Z' });
    expect(again.status).toBe(200);
    expect(again.body.data).toMatchObject({ id: created.body.data.id, expires_at: '2099-01-01T00:00:00.000Z' });

    const listed = await admin('GET', `/enrollments?course_id=${course.id}`);
    expect(listed.body.data.map((row: { id: string }) => row.id)).toEqual([created.body.data.id]);
    expect((await admin('GET', `/enrollments?course_id=${course.id}&state=completed`)).body.data).toEqual([]);
    expect((await admin('GET', `/enrollments?user_id=${learner.id}&state=active`)).body.meta.pagination.total).toBeGreaterThan(0);
    const ofCourse = await admin('GET', `/courses/${course.id}/enrollments`);
    expect(ofCourse.body.data[0].learner).toEqual({ name: expect.any(String), email: learner.email });

    const patched = await admin('PATCH', `/enrollments/${created.body.data.id}`, { expires_at: null });
    expect(patched.body.data.expires_at).toBeNull();
    expect((await admin('DELETE', `/enrollments/${created.body.data.id}`)).status).toBe(204);
    expect((await admin('DELETE', `/enrollments/${created.body.data.id}`)).status).toBe(404);
    expect((await student('GET', `/lessons/${course.lessonIds[0]}`)).status).toBe(403);
  });

  it('refuses bad enrolment input', async () => {
    const course = await buildCourse(admin);
    const stranger = await admin('POST', `/courses/${course.id}/enrollments`, { user_id: '00000000-0000-4000-8000-000000000000' });
    expect(stranger.status).toBe(422);
    expect(stranger.body.errors.user_id).toBeDefined();
    for (const body of [{}, { user_id: 'x' }, { user_id: learner.id, expires_at: 'tomorrow' }, { user_id: learner.id, more: 1 }]) {
      expect((await admin('POST', `/courses/${course.id}/enrollments`, body)).status, JSON.stringify(body)).toBe(422);
    }
    expect((await admin('GET', '/enrollments?state=paused')).status).toBe(422);
    expect((await admin('POST', '/courses/00000000-0000-4000-8000-000000000000/enrollments', { user_id: learner.id })).status).toBe(404);
    expect((await admin('PATCH', '/enrollments/00000000-0000-4000-8000-000000000000', { expires_at: null })).status).toBe(404);
  });

  it('lets a learner unenrol themself but not others', async () => {
    const course = await buildCourse(admin);
    const own = (await student('POST', `/courses/${course.id}/enroll`)).body.data;
    const classmate = await world.member();
    const theirs = (await world.as(classmate)('POST', `/courses/${course.id}/enroll`)).body.data;
    expect((await student('DELETE', `/enrollments/${theirs.id}`)).status).toBe(404);
    expect((await student('PATCH', `/enrollments/${own.id}`, { expires_at: null })).status).toBe(403);
    expect((await student('POST', `/courses/${course.id}/enrollments`, { user_id: classmate.id })).status).toBe(403);
    expect((await student('GET', `/courses/${course.id}/enrollments`)).status).toBe(403);
    expect((await student('DELETE', `/enrollments/${own.id}`)).status).toBe(204);
  });
});

describe('instructors', () => {
  it('manage the courses they are listed on, and only those', async () => {
    const teacher = await world.member();
    const teach = world.as(teacher);
    const theirs = await buildCourse(admin, { status: 'draft', course: { instructor_ids: [teacher.id] } });
    const other = await buildCourse(admin, { status: 'draft' });

    const listed = (await teach('GET', '/courses?per_page=100')).body.data.map((course: { id: string }) => course.id);
    expect(listed).toContain(theirs.id);
    expect(listed).not.toContain(other.id);
    expect((await teach('GET', `/lessons/${theirs.lessonIds[0]}`)).status).toBe(200);
    expect((await teach('PATCH', `/courses/${theirs.id}`, { title: 'Renamed by teacher' })).status).toBe(200);
    expect((await teach('PATCH', `/courses/${theirs.id}`, { instructor_ids: [] })).status).toBe(403);
    expect((await teach('POST', `/courses/${theirs.id}/modules`, { title: 'Week 2' })).status).toBe(201);
    expect((await teach('PATCH', `/lessons/${theirs.lessonIds[0]}`, { content_html: '<p>new</p>' })).status).toBe(200);
    expect(
      (
        await teach('PUT', `/lessons/${theirs.lessonIds[0]}/quiz`, {
          title: 'Q',
          pass_mark: 50,
          questions: [{ kind: 'short', prompt: 'hi?', accepted_answers: ['hi'] }],
        })
      ).status,
    ).toBe(200);
    expect((await teach('POST', `/courses/${theirs.id}/enrollments`, { user_id: learner.id })).status).toBe(201);
    expect((await teach('GET', `/courses/${theirs.id}/enrollments`)).body.meta.pagination.total).toBe(1);
    expect((await teach('GET', `/courses/${theirs.id}/report`)).status).toBe(200);
    expect((await teach('DELETE', `/courses/${theirs.id}`)).status).toBe(403);

    expect((await teach('GET', `/courses/${other.id}`)).status).toBe(404);
    expect((await teach('PATCH', `/courses/${other.id}`, { title: 'x' })).status).toBe(404);
    expect((await teach('GET', `/lessons/${other.lessonIds[0]}`)).status).toBe(404);
    expect((await teach('POST', `/courses/${other.id}/enrollments`, { user_id: learner.id })).status).toBe(404);
    expect((await teach('GET', `/courses/${other.id}/report`)).status).toBe(404);

    const added = await admin('PATCH', `/courses/${other.id}`, { instructor_ids: [teacher.id] });
    expect(added.body.data.instructor_ids).toEqual([teacher.id]);
    expect((await teach('PATCH', `/courses/${other.id}`, { title: 'Now mine' })).status).toBe(200);
    expect((await admin('PATCH', `/courses/${other.id}`, { instructor_ids: ['00000000-0000-4000-8000-000000000000'] })).status).toBe(422);
  });
});

describe('guardians', () => {
  it('let a linked member read a learner’s progress, and nobody else', async () => {
    const parent = await world.member();
    const stranger = await world.member();
    const course = await buildCourse(admin, { lessons: 2 });
    await student('POST', `/courses/${course.id}/enroll`);
    await student('POST', `/lessons/${course.lessonIds[0]}/complete`);

    expect((await world.as(parent)('GET', `/learners/${learner.id}/progress`)).status).toBe(403);
    const link = await admin('POST', '/guardians', { guardian_user_id: parent.id, learner_user_id: learner.id });
    expect(link.status).toBe(201);
    expect((await admin('POST', '/guardians', { guardian_user_id: parent.id, learner_user_id: learner.id })).status).toBe(409);
    expect((await admin('GET', `/guardians?learner_user_id=${learner.id}`)).body.data.map((row: { id: string }) => row.id)).toEqual([link.body.data.id]);

    const progress = await world.as(parent)('GET', `/learners/${learner.id}/progress`);
    expect(progress.status).toBe(200);
    expect(progress.body.data.find((row: { course_id: string }) => row.course_id === course.id)).toMatchObject({ progress_percent: 50, completed_at: null });
    expect((await world.as(parent)('GET', '/my/learners')).body.data).toEqual([{ user_id: learner.id, name: expect.any(String) }]);
    expect((await world.as(stranger)('GET', `/learners/${learner.id}/progress`)).status).toBe(403);
    expect((await student('GET', `/learners/${learner.id}/progress`)).status).toBe(200);
    expect((await world.as(parent)('GET', `/lessons/${course.lessonIds[0]}`)).status).toBe(403);

    expect((await admin('DELETE', `/guardians/${link.body.data.id}`)).status).toBe(204);
    expect((await world.as(parent)('GET', `/learners/${learner.id}/progress`)).status).toBe(403);
    expect((await admin('DELETE', `/guardians/${link.body.data.id}`)).status).toBe(404);
  });

  it('refuses bad links', async () => {
    for (const body of [{}, { guardian_user_id: learner.id, learner_user_id: learner.id }, { guardian_user_id: 'x', learner_user_id: learner.id }]) {
      expect((await admin('POST', '/guardians', body)).status, JSON.stringify(body)).toBe(422);
    }
    const notMember = await admin('POST', '/guardians', { guardian_user_id: '00000000-0000-4000-8000-000000000000', learner_user_id: learner.id });
    expect(notMember.body.errors.guardian_user_id).toBeDefined();
    expect((await student('POST', '/guardians', { guardian_user_id: world.owner.id, learner_user_id: learner.id })).status).toBe(403);
  });
});
