import type { TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLms, buildCourse, type Call, type LmsWorld } from './support.js';

let world: LmsWorld;
let admin: Call;
let ann: TestUser;
let bob: TestUser;
beforeAll(async () => {
  world = await bootLms();
  admin = world.as(world.owner);
  [ann, bob] = [await world.member(), await world.member()];
});
afterAll(() => world?.t.close());

describe('reports', () => {
  it('summarise enrolments, completion rate and quiz scores, per learner and as CSV', async () => {
    const course = await buildCourse(admin, { lessons: 2 });
    const quiz = await admin('PUT', `/lessons/${course.lessonIds[0]}/quiz`, {
      title: 'Q',
      pass_mark: 50,
      questions: [{ kind: 'short', prompt: '1+1', accepted_answers: ['2'] }],
    });
    const questionId = quiz.body.data.questions[0].id;
    for (const [user, answer] of [
      [ann, '2'],
      [bob, '3'],
    ] as const) {
      const call = world.as(user);
      await call('POST', `/courses/${course.id}/enroll`);
      const attempt = await call('POST', `/quizzes/${quiz.body.data.id}/attempts`);
      await call('POST', `/attempts/${attempt.body.data.attempt.id}/submit`, { answers: [{ question_id: questionId, text: answer }] });
    }
    for (const lessonId of course.lessonIds) await world.as(ann)('POST', `/lessons/${lessonId}/complete`);
    await world.t.sql("update lms_enrollments set last_activity_at = '2020-01-01' where course_id = $1 and user_id = $2", [course.id, bob.id]);

    const report = await admin('GET', `/courses/${course.id}/report`);
    expect(report.body.data).toEqual({
      course_id: course.id,
      enrollments: 2,
      active: 1,
      completed: 1,
      completion_rate: 50,
      average_progress: 50,
      average_quiz_score: 50,
    });

    const learners = await admin('GET', `/courses/${course.id}/report/learners?per_page=1`);
    expect(learners.body.meta.pagination).toMatchObject({ total: 2, total_pages: 2 });
    expect(learners.body.data[0]).toMatchObject({
      user_id: ann.id,
      email: ann.email,
      progress_percent: 100,
      lessons_completed: 2,
      quiz_attempts: 1,
      average_quiz_score: 100,
    });

    const csv = await admin('GET', `/courses/${course.id}/report.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toMatch(/attachment/);
    const lines = (csv.body as string).trim().split('\r\n');
    expect(lines[0]).toBe('user_id,name,email,enrolled_at,progress_percent,lessons_completed,completed_at,last_activity_at,quiz_attempts,average_quiz_score');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(ann.email);
    expect(lines[2]).toContain(`${bob.email},`);
    expect(lines[2]).toContain(',0,0,,2020-01-01');
  });

  it('defuses spreadsheet formulas in CSV fields', async () => {
    const sneaky = await world.member();
    await world.t.sql('update users set name = \'=HYPERLINK("http://evil")\' where id = $1', [sneaky.id]);
    const course = await buildCourse(admin, { lessons: 1 });
    await world.as(sneaky)('POST', `/courses/${course.id}/enroll`);
    const csv = (await admin('GET', `/courses/${course.id}/report.csv`)).body as string;
    expect(csv).toContain(`"'=HYPERLINK(""http://evil"")"`);
  });

  it('are closed to learners and refuse bad ids', async () => {
    const course = await buildCourse(admin);
    for (const path of [`/courses/${course.id}/report`, `/courses/${course.id}/report/learners`, `/courses/${course.id}/report.csv`]) {
      expect((await world.as(ann)('GET', path)).status).toBe(403);
    }
    expect((await admin('GET', '/courses/x/report')).status).toBe(422);
    expect((await admin('GET', '/courses/00000000-0000-4000-8000-000000000000/report.csv')).status).toBe(404);
  });
});

describe('notification jobs', () => {
  it('remind learners inactive for N days once per stretch of inactivity, and announce drip unlocks once', async () => {
    await world.t.request('PUT', '/api/v1/plugins/lms/settings', { headers: world.owner.headers, body: { reminderAfterDays: 3 } });
    const carol = await world.member();
    const course = await buildCourse(admin, { lessons: 1 });
    const drip = await admin('POST', `/modules/${course.moduleIds[0]}/lessons`, { title: 'Week two', status: 'published', drip_days: 7 });
    const enrollment = (await world.as(carol)('POST', `/courses/${course.id}/enroll`)).body.data;
    await world.t.sql("update lms_enrollments set last_activity_at = now() - interval '4 days', created_at = now() - interval '8 days' where id = $1", [
      enrollment.id,
    ]);

    const run = async () => {
      expect((await admin('POST', '/notifications/run')).status).toBe(202);
      await world.t.drainJobs();
    };
    await run();
    const lmsMail = async () => (await world.t.mailbox(carol.email)).filter((message) => /^(New lessons|Pick up)/.test(message.subject));
    let mail = await lmsMail();
    expect(mail.map((message) => message.subject).sort()).toEqual([
      // Drip notices reach the learner through notify (inbox, and mail by default); reminders are mailed directly.
      expect.stringMatching(/^New lessons in Course/),
      expect.stringMatching(/^Pick up where you left off: Course/),
    ]);
    expect(mail.find((message) => message.subject.startsWith('New'))!.text).toContain('Week two');

    await run();
    expect(await lmsMail()).toHaveLength(2);

    // Time passes: the reminder went out 6 days ago, the learner came back 5 days ago, and went quiet again.
    await world.as(carol)('PUT', `/lessons/${drip.body.data.id}/position`, { position_seconds: 5 });
    await world.t.sql("update lms_enrollments set reminded_at = now() - interval '6 days', last_activity_at = now() - interval '5 days' where id = $1", [
      enrollment.id,
    ]);
    await run();
    mail = await lmsMail();
    expect(mail.filter((message) => message.subject.startsWith('Pick up'))).toHaveLength(2);
    expect(mail.filter((message) => message.subject.startsWith('New'))).toHaveLength(1);
  });

  it('schedule themselves when the tenant enables LMS', async () => {
    await world.t.drainEvents();
    const schedules = await world.t.sql<{ name: string }>(
      "select name from plinth_jobs where data->>'tenantId' = $1 and name like 'lms.%' and repeat_interval is not null order by name",
      [world.owner.tenant!.id],
    );
    expect(schedules.map((row) => row.name)).toEqual(['lms.drip.notify', 'lms.reminders.send']);
  });

  it('can only be run now by enrolment managers', async () => {
    expect((await world.as(ann)('POST', '/notifications/run')).status).toBe(403);
  });
});
