import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLms, buildCourse, otherTenant, type Call, type LmsWorld } from './support.js';

let world: LmsWorld;
let admin: Call;
beforeAll(async () => {
  world = await bootLms();
  admin = world.as(world.owner);
});
afterAll(() => world?.t.close());

const unique = () => `learner-${process.pid}-${Math.random().toString(36).slice(2, 8)}@example.test`;

describe('enrolment by email', () => {
  it('enrols new and existing people once, notifying each new learner once (by mail too, by default)', async () => {
    const course = await buildCourse(admin, { lessons: 2 });
    const member = await world.member();
    const stranger = unique();
    const first = await admin('POST', `/courses/${course.id}/enrollments/by-email`, { emails: [stranger, member.email, stranger.toUpperCase()] });
    expect(first.status).toBe(200);
    expect(first.body.data).toEqual([
      expect.objectContaining({ email: stranger, enrolled: true, account_created: true }),
      expect.objectContaining({ email: member.email, user_id: member.id, enrolled: true, account_created: false }),
    ]);
    // The enrolment's notification is mailed by a job after the event is delivered.
    await world.t.drainEvents();
    await world.t.drainJobs();
    const mail = await world.t.mailbox(stranger);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toContain('You are enrolled in');
    // The mail's link signs the new learner in and lands on the course (a single-use link, made when mailed).
    const token = new RegExp(`/c/${world.owner.tenant!.slug}/account/link\\?token=([\\w-]+)`).exec(mail[0]!.text)?.[1];
    expect(token, mail[0]!.text).toBeDefined();
    const [link] = await world.t.sql<{ next: string }>('select next from sign_in_links where token_hash = $1', [
      createHash('sha256').update(token!).digest('hex'),
    ]);
    expect(link?.next).toBe(`/c/${world.owner.tenant!.slug}/learn/${course.id}`);

    const again = await admin('POST', `/courses/${course.id}/enrollments/by-email`, { emails: [stranger] });
    expect(again.body.data).toEqual([expect.objectContaining({ enrolled: false, enrollment_id: first.body.data[0].enrollment_id })]);
    await world.t.drainEvents();
    await world.t.drainJobs();
    expect(await world.t.mailbox(stranger)).toHaveLength(1);
    const listed = await admin('GET', `/courses/${course.id}/enrollments`);
    expect(listed.body.meta.pagination.total).toBe(2);
  });

  it('refuses bad addresses and bodies with 4xx, and learners who do not manage the course', async () => {
    const course = await buildCourse(admin);
    for (const body of [{}, { emails: [] }, { emails: ['not-an-email'] }, { emails: ['a@b.test'], more: 1 }, { emails: 'a@b.test' }]) {
      const answer = await admin('POST', `/courses/${course.id}/enrollments/by-email`, body);
      expect(answer.status, JSON.stringify(body)).toBe(422);
    }
    const bad = await admin('POST', `/courses/${course.id}/enrollments/by-email`, { emails: ['ok@example.test', 'nope'] });
    expect(Object.keys(bad.body.errors)).toEqual(['emails.1']);
    expect((await world.t.mailbox('ok@example.test')).length).toBe(0);
    const learner = await world.member();
    expect((await world.as(learner)('POST', `/courses/${course.id}/enrollments/by-email`, { emails: [unique()] })).status).toBe(403);
    expect((await admin('POST', '/courses/00000000-0000-4000-8000-000000000000/enrollments/by-email', { emails: [unique()] })).status).toBe(404);
  });
});

describe('a course’s learners', () => {
  it('lists learners with lessons completed, searches, filters by status and shows one learner’s progress', async () => {
    const course = await buildCourse(admin, { lessons: 2 });
    const quiz = await admin('PUT', `/lessons/${course.lessonIds[0]}/quiz`, {
      title: 'Check',
      pass_mark: 0,
      questions: [{ kind: 'short', prompt: '?', accepted_answers: ['x'] }],
    });
    const ada = await world.member();
    const bob = await world.member();
    await admin('POST', `/courses/${course.id}/enrollments/by-email`, { emails: [ada.email, bob.email] });
    const asAda = world.as(ada);
    const attempt = await asAda('POST', `/quizzes/${quiz.body.data.id}/attempts`);
    await asAda('POST', `/attempts/${attempt.body.data.attempt.id}/submit`, { answers: [] });
    await asAda('POST', `/lessons/${course.lessonIds[0]}/complete`);

    const all = await admin('GET', `/courses/${course.id}/enrollments`);
    const adaLine = all.body.data.find((line: { user_id: string }) => line.user_id === ada.id);
    expect(adaLine).toMatchObject({ learner: { email: ada.email }, status: 'active', progress_percent: 50, lessons_completed: 1, lessons_total: 2 });
    const found = await admin('GET', `/courses/${course.id}/enrollments?search=${encodeURIComponent(bob.email.slice(0, 12).toUpperCase())}`);
    expect(found.body.data.map((line: { user_id: string }) => line.user_id)).toEqual([bob.id]);
    expect((await admin('GET', `/courses/${course.id}/enrollments?search=${encodeURIComponent('%')}`)).body.data).toEqual([]);
    expect((await admin('GET', `/courses/${course.id}/enrollments?state=completed`)).body.data).toEqual([]);
    expect((await admin('GET', `/courses/${course.id}/enrollments?state=paused`)).status).toBe(422);

    const progress = await admin('GET', `/enrollments/${adaLine.id}/progress`);
    expect(progress.status).toBe(200);
    expect(progress.body.data.lessons.map((lesson: { completed_at: string | null }) => lesson.completed_at !== null)).toEqual([true, false]);
    expect(progress.body.data.attempts).toEqual([expect.objectContaining({ quiz_title: 'Check', status: 'submitted' })]);
    expect(progress.body.data.certificate).toBeNull();
    expect(progress.body.data.enrollment).toMatchObject({ id: adaLine.id, learner: { email: ada.email }, lessons_completed: 1 });
    expect((await asAda('GET', `/enrollments/${adaLine.id}/progress`)).status).toBe(200);
    expect((await world.as(bob)('GET', `/enrollments/${adaLine.id}/progress`)).status).toBe(404);
    expect((await world.as(bob)('GET', `/courses/${course.id}/enrollments`)).status).toBe(403);
  });

  it('previews the certificate: an example before anyone completes, then the latest issued one', async () => {
    const course = await buildCourse(admin, { lessons: 1 });
    const example = await admin('GET', `/courses/${course.id}/certificate/preview`);
    expect(example.body.data).toMatchObject({ sample: true, url: null, learner_name: expect.stringMatching(/^User /) });
    const learner = await world.member();
    await admin('POST', `/courses/${course.id}/enrollments/by-email`, { emails: [learner.email] });
    await world.as(learner)('POST', `/lessons/${course.lessonIds[0]}/complete`);
    const real = await admin('GET', `/courses/${course.id}/certificate/preview`);
    expect(real.body.data).toMatchObject({ sample: false, url: expect.stringMatching(/\/c\/.+\/certificates\/[A-Z0-9]{16}$/) });
  });

  it('keeps another tenant out', async () => {
    const course = await buildCourse(admin, { lessons: 1 });
    const learner = await world.member();
    const enrolled = await admin('POST', `/courses/${course.id}/enrollments/by-email`, { emails: [learner.email] });
    const other = world.as(await otherTenant(world));
    expect((await other('GET', `/courses/${course.id}/enrollments`)).status).toBe(404);
    expect((await other('GET', `/enrollments/${enrolled.body.data[0].enrollment_id}/progress`)).status).toBe(404);
    expect((await other('GET', `/courses/${course.id}/certificate/preview`)).status).toBe(404);
    expect((await other('POST', `/courses/${course.id}/enrollments/by-email`, { emails: [unique()] })).status).toBe(404);
    const rows = await world.t.sql<{ tenant_id: string }>('select tenant_id from lms_enrollments where id = $1', [enrolled.body.data[0].enrollment_id]);
    expect(rows[0]!.tenant_id).toBe(world.owner.tenant!.id);
  });
});
