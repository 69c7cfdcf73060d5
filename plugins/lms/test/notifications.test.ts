import { addMember, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLms, buildCourse, otherTenant, type Call, type LmsWorld } from './support.js';

// Issue 24: learners and their guardians hear of enrolments, graded quizzes, certificates and new lessons through
// the kernel's notify service (inbox, and mail by their preferences), once per event.
let world: LmsWorld;
let admin: Call;
beforeAll(async () => {
  world = await bootLms();
  admin = world.as(world.owner);
});
afterAll(() => world?.t.close());

interface Item {
  id: string;
  category: string;
  title: string;
  body: string;
  url: string | null;
  read_at: string | null;
}

/** The person's inbox in the tenant their headers name, newest first. */
async function inbox(user: TestUser): Promise<Item[]> {
  const answer = await world.t.request('GET', '/api/v1/notifications?per_page=100', { headers: user.headers });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.data as Item[];
}

/** Delivers the pending events and runs the jobs they queue (notify's deliveries among them). */
async function settle(): Promise<void> {
  await world.t.drainEvents();
  await world.t.drainJobs();
}

/** Polls the inbox until `done` holds of it (deliveries run in jobs), failing after a deadline. */
async function inboxWhen(user: TestUser, done: (items: Item[]) => boolean, timeoutMs = 10_000): Promise<Item[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await settle();
    const items = await inbox(user);
    if (done(items)) return items;
    if (Date.now() > deadline) throw new Error(`inbox of ${user.email} never matched: ${JSON.stringify(items.map((item) => item.title))}`);
  }
}

/** Mail sent to an address whose subject is `subject`. */
async function mailsTitled(email: string, subject: string) {
  return (await world.t.mailbox(email)).filter((mail) => mail.subject === subject);
}

/** Makes `guardian` a guardian of `learner`. */
async function follow(guardian: TestUser, learner: TestUser): Promise<void> {
  const linked = await admin('POST', '/guardians', { guardian_user_id: guardian.id, learner_user_id: learner.id });
  expect(linked.status, JSON.stringify(linked.body)).toBe(201);
}

async function courseTitle(courseId: string): Promise<string> {
  const [row] = await world.t.sql<{ title: string }>('select title from lms_courses where id = $1', [courseId]);
  return row!.title;
}

async function certificateCode(courseId: string): Promise<string | undefined> {
  const [row] = await world.t.sql<{ code: string }>('select code from lms_certificates where course_id = $1', [courseId]);
  return row?.code;
}

async function userName(user: TestUser): Promise<string> {
  const [row] = await world.t.sql<{ name: string | null; email: string }>('select name, email from users where id = $1', [user.id]);
  return row!.name || row!.email;
}

describe('enrolment', () => {
  it('notifies the learner (a customer: their course page) and their guardian (staff: the console), each with a mail', async () => {
    const slug = world.owner.tenant!.slug;
    const course = await buildCourse(admin, { lessons: 1 });
    const title = await courseTitle(course.id);
    const learner = await world.t.customer(world.owner);
    const guardian = await world.member();
    await follow(guardian, learner);

    const enrolled = await admin('POST', `/courses/${course.id}/enrollments`, { user_id: learner.id });
    expect(enrolled.status, JSON.stringify(enrolled.body)).toBe(201);

    const learnerItems = await inboxWhen(learner, (items) => items.length > 0);
    expect(learnerItems).toEqual([
      expect.objectContaining({ category: 'lms.enrolments', title: `You are enrolled in ${title}`, url: `/c/${slug}/learn/${course.id}`, read_at: null }),
    ]);
    const name = await userName(learner);
    const guardianItems = await inboxWhen(guardian, (items) => items.length > 0);
    expect(guardianItems).toEqual([
      expect.objectContaining({ category: 'lms.enrolments', title: `${name} is enrolled in ${title}`, url: `/t/${slug}/p/lms/my/learners` }),
    ]);
    expect(await mailsTitled(learner.email, `You are enrolled in ${title}`)).toHaveLength(1);
    expect(await mailsTitled(guardian.email, `${name} is enrolled in ${title}`)).toHaveLength(1);

    // Enrolling again (renewing) is no new enrolment: nobody hears of it twice.
    await admin('POST', `/courses/${course.id}/enrollments`, { user_id: learner.id, expires_at: null });
    await settle();
    expect(await inbox(learner)).toHaveLength(1);
    expect(await inbox(guardian)).toHaveLength(1);
    expect(await mailsTitled(learner.email, `You are enrolled in ${title}`)).toHaveLength(1);
  });

  it('mails only those whose preferences keep the email on; the inbox still shows it', async () => {
    const course = await buildCourse(admin, { lessons: 1 });
    const title = await courseTitle(course.id);
    const learner = await world.member();
    const guardian = await world.member();
    await follow(guardian, learner);
    const muted = await world.t.request('PUT', '/api/v1/me/notification-preferences', {
      headers: guardian.headers,
      body: { categories: [{ category: 'lms.enrolments', channels: { email: false } }] },
    });
    expect(muted.status, JSON.stringify(muted.body)).toBe(200);
    // Staff learn too: the LMS's categories are offered to staff and customers alike.
    const offered = muted.body.data.categories.find((category: { category: string }) => category.category === 'lms.enrolments');
    expect(offered).toMatchObject({ plugin: 'lms', label: 'Course enrolments', required: false, channels: { email: { enabled: false } } });
    const customer = await world.t.customer(world.owner);
    const theirs = await world.t.request('GET', '/api/v1/me/notification-preferences', { headers: customer.headers });
    expect(theirs.body.data.categories.map((category: { category: string }) => category.category)).toEqual(
      expect.arrayContaining(['lms.enrolments', 'lms.quiz-results', 'lms.certificates', 'lms.new-lessons']),
    );

    await admin('POST', `/courses/${course.id}/enrollments/by-email`, { emails: [learner.email] });
    await inboxWhen(learner, (items) => items.length === 1);
    await inboxWhen(guardian, (items) => items.length === 1);
    expect(await mailsTitled(learner.email, `You are enrolled in ${title}`)).toHaveLength(1);
    expect((await world.t.mailbox(guardian.email)).filter((mail) => mail.subject.includes(title))).toEqual([]);
  });
});

describe('quizzes, certificates and new lessons', () => {
  it('notify the learner and the guardian once each: a graded quiz with its score, the certificate', async () => {
    const slug = world.owner.tenant!.slug;
    const course = await buildCourse(admin, { lessons: 1 });
    const title = await courseTitle(course.id);
    const quiz = await admin('PUT', `/lessons/${course.lessonIds[0]}/quiz`, {
      title: 'Check-up',
      pass_mark: 50,
      questions: [
        { kind: 'short', prompt: '1+1', accepted_answers: ['2'] },
        { kind: 'short', prompt: '2+2', accepted_answers: ['4'] },
      ],
    });
    expect(quiz.body.data?.id, JSON.stringify(quiz.body)).toBeDefined();
    const [first, second] = quiz.body.data.questions as { id: string }[];
    const learner = await world.member();
    const guardian = await world.member();
    await follow(guardian, learner);
    const asLearner = world.as(learner);
    expect((await asLearner('POST', `/courses/${course.id}/enroll`)).status).toBe(201);
    const attempt = await asLearner('POST', `/quizzes/${quiz.body.data.id}/attempts`);
    const submitted = await asLearner('POST', `/attempts/${attempt.body.data.attempt.id}/submit`, {
      answers: [
        { question_id: first!.id, text: '2' },
        { question_id: second!.id, text: '5' },
      ],
    });
    expect(submitted.body.data.score).toBe(50);
    expect((await asLearner('POST', `/lessons/${course.lessonIds[0]}/complete`)).status).toBe(200);
    const code = await certificateCode(course.id);

    const mine = await inboxWhen(learner, (items) => items.length >= 3);
    // Events delivered again (a handler retried) notify nobody a second time.
    await settle();
    const byCategory = (items: Item[], category: string) => items.filter((item) => item.category === category);
    expect(await inbox(learner)).toHaveLength(mine.length);
    expect(byCategory(mine, 'lms.quiz-results')).toEqual([
      expect.objectContaining({
        title: 'Quiz graded: Check-up',
        body: `You scored 50% in Check-up (${title}).`,
        url: `/t/${slug}/p/lms/my/courses/${course.id}`,
      }),
    ]);
    expect(byCategory(mine, 'lms.certificates')).toEqual([
      expect.objectContaining({ title: `Your certificate for ${title}`, url: `/t/${slug}/p/lms/my/certificates` }),
    ]);
    const name = await userName(learner);
    const theirs = await inboxWhen(guardian, (items) => items.length >= 3);
    expect(byCategory(theirs, 'lms.quiz-results')).toEqual([expect.objectContaining({ body: `${name} scored 50% in Check-up (${title}).` })]);
    expect(byCategory(theirs, 'lms.certificates')).toEqual([expect.objectContaining({ title: `${name} completed ${title}` })]);
    expect(code).toMatch(/^[A-Z0-9]{16}$/);
    expect(await mailsTitled(learner.email, 'Quiz graded: Check-up')).toHaveLength(1);
    expect(await mailsTitled(guardian.email, `${name} completed ${title}`)).toHaveLength(1);
  });

  it('leads a customer learner to their certificate page', async () => {
    const slug = world.owner.tenant!.slug;
    const course = await buildCourse(admin, { lessons: 1 });
    const learner = await world.t.customer(world.owner);
    expect((await world.as(learner)('POST', `/courses/${course.id}/enroll`)).status).toBe(201);
    expect((await world.as(learner)('POST', `/lessons/${course.lessonIds[0]}/complete`)).status).toBe(200);
    const code = await certificateCode(course.id);
    const items = await inboxWhen(learner, (found) => found.some((item) => item.category === 'lms.certificates'));
    expect(items.find((item) => item.category === 'lms.certificates')!.url).toBe(`/c/${slug}/certificates/${code}`);
  });

  it('announce drip lessons once: running the job twice tells nobody twice', async () => {
    const course = await buildCourse(admin, { lessons: 1 });
    const title = await courseTitle(course.id);
    await admin('POST', `/modules/${course.moduleIds[0]}/lessons`, { title: 'Week two', status: 'published', drip_days: 7 });
    await admin('POST', `/modules/${course.moduleIds[0]}/lessons`, { title: 'Week three', status: 'published', drip_days: 14 });
    const learner = await world.member();
    const guardian = await world.member();
    await follow(guardian, learner);
    const enrollment = (await world.as(learner)('POST', `/courses/${course.id}/enroll`)).body.data;
    await world.t.sql("update lms_enrollments set created_at = now() - interval '15 days' where id = $1", [enrollment.id]);

    for (let run = 0; run < 2; run++) {
      expect((await admin('POST', '/notifications/run')).status).toBe(202);
      await settle();
    }
    const drips = (items: Item[]) => items.filter((item) => item.category === 'lms.new-lessons');
    const mine = drips(await inboxWhen(learner, (items) => drips(items).length > 0));
    expect(mine).toEqual([expect.objectContaining({ title: `New lessons in ${title}`, body: 'Now open: Week two, Week three' })]);
    expect(drips(await inboxWhen(guardian, (items) => drips(items).length > 0))).toHaveLength(1);
    expect(await mailsTitled(learner.email, `New lessons in ${title}`)).toHaveLength(1);
  });
});

describe('another tenant', () => {
  it('never hears of this tenant’s learners, and its learners hear only of their own', async () => {
    const otherOwner = await otherTenant(world);
    const other = world.as(otherOwner);
    const otherCourse = await buildCourse(other, { lessons: 1 });
    const otherLearner = await addMember(world.t, otherOwner, ['member']);
    const course = await buildCourse(admin, { lessons: 1 });
    const learner = await world.member();
    await admin('POST', `/courses/${course.id}/enrollments`, { user_id: learner.id });
    // The other tenant's learner is no member here: enrolling them is refused, nobody is told.
    expect((await admin('POST', `/courses/${course.id}/enrollments`, { user_id: otherLearner.id })).status).toBe(422);
    await other('POST', `/courses/${otherCourse.id}/enrollments`, { user_id: otherLearner.id });
    await inboxWhen(learner, (items) => items.length === 1);
    const theirs = await inboxWhen(otherLearner, (items) => items.length === 1);
    expect(theirs[0]!.url).toContain(`/p/lms/my/courses/${otherCourse.id}`);
    const leaked = await world.t.sql<{ count: number }>(
      "select count(*)::int as count from notification_items where tenant_id = $1 and url like '%' || $2 || '%'",
      [otherOwner.tenant!.id, course.id],
    );
    expect(leaked[0]!.count).toBe(0);
    // Asking for the other tenant's inbox with this tenant's credentials is refused.
    const foreign = await world.t.request('GET', '/api/v1/notifications', { headers: { ...learner.headers, 'x-tenant': otherOwner.tenant!.slug } });
    expect([403, 404]).toContain(foreign.status);
  });
});
