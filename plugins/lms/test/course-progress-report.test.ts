import { reportCsv, runReport, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLms, buildCourse, otherTenant, type Call, type LmsWorld } from './support.js';

// Issue 24: `lms.course-progress` runs through core's reports (POST /api/v1/reports → a job → a file to download).
let world: LmsWorld;
let admin: Call;
beforeAll(async () => {
  world = await bootLms();
  admin = world.as(world.owner);
  // Times in the file are the tenant's wall clock.
  const zoned = await world.t.request('PATCH', '/api/v1/tenant', { headers: world.owner.headers, body: { time_zone: 'Asia/Tokyo' } });
  expect(zoned.status, JSON.stringify(zoned.body)).toBe(200);
});
afterAll(() => world?.t.close());

describe('the course progress report', () => {
  it('lists every learner of the course, in enrolment order, exactly as stored', async () => {
    const course = await buildCourse(admin, { lessons: 2 });
    const quiz = await admin('PUT', `/lessons/${course.lessonIds[0]}/quiz`, {
      title: 'Q',
      pass_mark: 50,
      questions: [{ kind: 'short', prompt: '1+1', accepted_answers: ['2'] }],
    });
    const questionId = quiz.body.data.questions[0].id;
    const [ann, bob, carol] = [await world.member(), await world.member(), await world.member()];
    for (const [user, answer] of [
      [ann, '2'],
      [bob, '3'],
    ] as const) {
      const call = world.as(user);
      expect((await call('POST', `/courses/${course.id}/enroll`)).status).toBe(201);
      const attempt = await call('POST', `/quizzes/${quiz.body.data.id}/attempts`);
      await call('POST', `/attempts/${attempt.body.data.attempt.id}/submit`, { answers: [{ question_id: questionId, text: answer }] });
    }
    // Bob tries again and gets it right: his average is of both attempts.
    const retry = await world.as(bob)('POST', `/quizzes/${quiz.body.data.id}/attempts`);
    await world.as(bob)('POST', `/attempts/${retry.body.data.attempt.id}/submit`, { answers: [{ question_id: questionId, text: '2' }] });
    for (const lessonId of course.lessonIds) await world.as(ann)('POST', `/lessons/${lessonId}/complete`);
    await world.as(bob)('POST', `/lessons/${course.lessonIds[1]}/complete`);
    expect((await admin('POST', `/courses/${course.id}/enrollments`, { user_id: carol.id })).status).toBe(201);
    // Another course's learner is not in this report.
    const elsewhere = await buildCourse(admin, { lessons: 1 });
    await world.as(carol)('POST', `/courses/${elsewhere.id}/enroll`);
    const times = [
      [ann, '2026-01-02T00:30:00Z', '2026-02-01T08:00:00Z'],
      [bob, '2026-01-03T10:30:00Z', '2026-01-20T23:59:59Z'],
      [carol, '2026-01-04T16:00:00Z', '2026-01-04T16:00:00Z'],
    ] as const;
    for (const [user, enrolled, active] of times) {
      await world.t.sql('update lms_enrollments set created_at = $3, last_activity_at = $4 where course_id = $1 and user_id = $2', [
        course.id,
        user.id,
        enrolled,
        active,
      ]);
    }
    await world.t.sql("update lms_certificates set issued_at = '2026-02-01T08:00:00Z' where course_id = $1", [course.id]);
    const names = new Map(
      (await world.t.sql<{ id: string; name: string }>('select id, name from users where id = any($1)', [[ann.id, bob.id, carol.id]])).map((row) => [
        row.id,
        row.name,
      ]),
    );

    const run = await runReport(world.t, world.owner, 'lms.course-progress', { course_id: course.id });
    expect(run).toMatchObject({ status: 'done', error: null, rows_done: 3 });
    expect(await reportCsv(world.t, world.owner, run.id)).toEqual([
      ['Learner', 'Email', 'Enrolled', 'Lessons completed', 'Lessons', 'Progress', 'Quiz average', 'Last activity', 'Certificate issued'],
      // Tokyo is UTC+9: 00:30 UTC is 09:30 there, 16:00 UTC the next day's 01:00.
      [names.get(ann.id)!, ann.email, '2026-01-02 09:30:00', '2', '2', '100', '100', '2026-02-01 17:00:00', '2026-02-01 17:00:00'],
      [names.get(bob.id)!, bob.email, '2026-01-03 19:30:00', '1', '2', '50', '50', '2026-01-21 08:59:59', ''],
      [names.get(carol.id)!, carol.email, '2026-01-05 01:00:00', '0', '2', '0', '', '2026-01-05 01:00:00', ''],
    ]);
  });

  it('is offered to those holding lms.reports.view only: others get 403, and bad parameters 422', async () => {
    const course = await buildCourse(admin, { lessons: 1 });
    const member = await world.member();
    const refused = await world.t.request('POST', '/api/v1/reports', {
      headers: member.headers,
      body: { report: 'lms.course-progress', params: { course_id: course.id }, format: 'csv' },
    });
    expect(refused.status).toBe(403);
    const catalog = async (user: TestUser) =>
      ((await world.t.request('GET', '/api/v1/reports/catalog', { headers: user.headers })).body.data as { name: string }[]).map((entry) => entry.name);
    expect(await catalog(world.owner)).toContain('lms.course-progress');
    expect(await catalog(member)).not.toContain('lms.course-progress');

    for (const params of [{ course_id: 'x' }, {}, { course_id: course.id, extra: 1 }]) {
      const bad = await world.t.request('POST', '/api/v1/reports', {
        headers: world.owner.headers,
        body: { report: 'lms.course-progress', params, format: 'csv' },
      });
      expect(bad.status, JSON.stringify(params)).toBe(422);
    }
    const runs = await world.t.sql<{ count: number }>("select count(*)::int as count from report_runs where tenant_id = $1 and params->>'course_id' = 'x'", [
      world.owner.tenant!.id,
    ]);
    expect(runs[0]!.count).toBe(0);
  });

  it('fails for a course the tenant does not have: another tenant’s course is not found, nothing of it written', async () => {
    const course = await buildCourse(admin, { lessons: 1 });
    const learner = await world.member();
    await world.as(learner)('POST', `/courses/${course.id}/enroll`);
    const stranger = await otherTenant(world);
    const run = await runReport(world.t, stranger, 'lms.course-progress', { course_id: course.id });
    expect(run).toMatchObject({ status: 'failed', rows_done: 0 });
    expect(run.error).toContain('Course not found');
    expect((await world.t.request('GET', `/api/v1/reports/${run.id}/download`, { headers: stranger.headers })).status).not.toBe(200);
  });
});
