import type { TestUser } from '@plinth/core/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerMaker } from './fixtures/customer-maker.js';
import { customerSession, page, staffCookie } from './pages-support.js';
import { bootLms, buildCourse, otherTenant, type BuiltCourse, type Call, type LmsWorld } from './support.js';

let world: LmsWorld;
let admin: Call;
let slug: string;
let course: BuiltCourse;
let learner: { userId: string; cookie: string };
let outsider: { userId: string; cookie: string };
let b: TestUser;
let bCourse: BuiltCourse;

const signInTo = (path: string) => `/c/${slug}/account/sign-in?next=${encodeURIComponent(path)}`;
const progress = async () =>
  (
    await world.t.sql<{ progress_percent: number }>('select progress_percent from lms_enrollments where course_id = $1 and user_id = $2', [
      course.id,
      learner.userId,
    ])
  )[0]?.progress_percent;
const completions = () => world.t.sql('select lesson_id from lms_lesson_progress where completed_at is not null');

beforeAll(async () => {
  world = await bootLms([customerMaker]);
  admin = world.as(world.owner);
  slug = world.owner.tenant!.slug;
  await world.t.enable(world.owner, 'customer-maker');
  course = await buildCourse(admin, {
    lessons: 2,
    course: { slug: 'pages-course', title: 'Pages course' },
    lesson: { attachments: [{ title: 'Worksheet', url: 'https://example.test/sheet.pdf' }] },
  });
  // Content stored before sanitising existed (or written past the API) is sanitised again when shown.
  await world.t.sql(`update lms_lessons set content_html = $2 where id = $1`, [
    course.lessonIds[0],
    '<p>Body one</p><script>alert(1)</script><img src="https://example.test/a.png" onerror="alert(2)"><a href="javascript:alert(3)">x</a>',
  ]);
  learner = await customerSession(world.t, slug, 'learner@example.test');
  outsider = await customerSession(world.t, slug, 'outsider@example.test');
  const enrolled = await admin('POST', `/courses/${course.id}/enrollments`, { user_id: learner.userId });
  expect(enrolled.status).toBe(201);
  b = await otherTenant(world);
  bCourse = await buildCourse(world.as(b), { lessons: 1 });
});
afterAll(() => world?.t.close());

describe('learner pages', () => {
  it('send an anonymous visitor to sign in, coming back to the page asked for', async () => {
    for (const path of [`/c/${slug}/learn`, `/c/${slug}/learn/${course.id}`, `/c/${slug}/learn/${course.id}/lessons/${course.lessonIds[0]}`]) {
      const answer = await page(world.t, 'GET', path);
      expect(answer.status, path).toBe(303);
      expect(answer.headers.get('location'), path).toBe(signInTo(path));
    }
    const lesson = `/c/${slug}/learn/${course.id}/lessons/${course.lessonIds[0]}`;
    const posted = await page(world.t, 'POST', `${lesson}/complete`);
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe(signInTo(lesson));
    expect(await completions()).toEqual([]);
  });

  it('show an enrolled customer their courses, the course’s lessons and a lesson’s content, sanitised', async () => {
    const mine = await page(world.t, 'GET', `/c/${slug}/learn`, { cookie: learner.cookie });
    expect(mine.status).toBe(200);
    expect(mine.body).toContain('Pages course');
    expect(mine.body).toContain('0% complete');
    const outline = await page(world.t, 'GET', `/c/${slug}/learn/${course.id}`, { cookie: learner.cookie });
    expect(outline.status).toBe(200);
    expect(outline.body).toContain(`href="/c/${slug}/learn/${course.id}/lessons/${course.lessonIds[1]}"`);
    const lesson = await page(world.t, 'GET', `/c/${slug}/learn/${course.id}/lessons/${course.lessonIds[0]}`, { cookie: learner.cookie });
    expect(lesson.status).toBe(200);
    expect(lesson.body).toContain('<p>Body one</p>');
    expect(lesson.body).not.toContain('<script>alert');
    expect(lesson.body).not.toContain('onerror');
    expect(lesson.body).not.toContain('javascript:');
    expect(lesson.body).toContain('href="https://example.test/sheet.pdf"');
    expect(lesson.body).toContain(`action="/c/${slug}/learn/${course.id}/lessons/${course.lessonIds[0]}/complete"`);
    expect(lesson.headers.get('content-security-policy')).toContain("script-src 'none'");
  });

  it('complete a lesson with the form: progress changes, then the next lesson, then the course and its certificate', async () => {
    const first = `/c/${slug}/learn/${course.id}/lessons/${course.lessonIds[0]}`;
    const done = await page(world.t, 'POST', `${first}/complete`, { cookie: learner.cookie });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`/c/${slug}/learn/${course.id}/lessons/${course.lessonIds[1]}`);
    expect(await progress()).toBe(50);
    expect((await page(world.t, 'GET', first, { cookie: learner.cookie })).body).toContain('You completed this lesson.');
    const last = await page(world.t, 'POST', `/c/${slug}/learn/${course.id}/lessons/${course.lessonIds[1]}/complete`, { cookie: learner.cookie });
    expect(last.status).toBe(303);
    expect(last.headers.get('location')).toBe(`/c/${slug}/learn/${course.id}`);
    expect(await progress()).toBe(100);
    const outline = await page(world.t, 'GET', `/c/${slug}/learn/${course.id}`, { cookie: learner.cookie });
    expect(outline.body).toContain('You completed this course.');
    const certificate = /href="(\/c\/[^"]+\/certificates\/[A-Z0-9]{16})"/.exec(outline.body)?.[1];
    expect(certificate).toBeDefined();
    const shown = await page(world.t, 'GET', certificate!);
    expect(shown.status).toBe(200);
    expect(shown.body).toContain('Pages course');
  });

  it('answer a customer who is not enrolled with a 403 page leading to the course page, and complete nothing', async () => {
    const before = await completions();
    for (const path of [`/c/${slug}/learn/${course.id}`, `/c/${slug}/learn/${course.id}/lessons/${course.lessonIds[0]}`]) {
      const answer = await page(world.t, 'GET', path, { cookie: outsider.cookie });
      expect(answer.status, path).toBe(403);
      expect(answer.body, path).toContain(`href="/c/${slug}/courses/pages-course"`);
      expect(answer.body, path).not.toContain('Body one');
    }
    const posted = await page(world.t, 'POST', `/c/${slug}/learn/${course.id}/lessons/${course.lessonIds[0]}/complete`, { cookie: outsider.cookie });
    expect(posted.status).toBe(403);
    expect(await completions()).toEqual(before);
    expect((await page(world.t, 'GET', `/c/${slug}/learn`, { cookie: outsider.cookie })).body).toContain('not enrolled in any course yet');
  });

  it('answer 404 for another tenant’s course or lesson, a lesson of another course and ids that are not ids', async () => {
    const before = await completions();
    const paths = [
      `/c/${slug}/learn/${bCourse.id}`,
      `/c/${slug}/learn/${bCourse.id}/lessons/${bCourse.lessonIds[0]}`,
      `/c/${slug}/learn/${course.id}/lessons/${bCourse.lessonIds[0]}`,
      `/c/${slug}/learn/not-a-uuid`,
      `/c/${slug}/learn/${course.id}/lessons/not-a-uuid`,
    ];
    for (const path of paths) {
      const answer = await page(world.t, 'GET', path, { cookie: learner.cookie });
      expect(answer.status, path).toBe(404);
      expect(answer.headers.get('content-type'), path).toContain('text/html');
    }
    for (const path of [`/c/${slug}/learn/${course.id}/lessons/${bCourse.lessonIds[0]}/complete`, `/c/${slug}/learn/x/lessons/y/complete`]) {
      expect((await page(world.t, 'POST', path, { cookie: learner.cookie })).status, path).toBe(404);
    }
    expect(await completions()).toEqual(before);
  });

  it('do not sign a tenant’s customer in on another tenant’s pages', async () => {
    const path = `/c/${b.tenant!.slug}/learn`;
    const answer = await page(world.t, 'GET', path, { cookie: learner.cookie });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toContain(`/c/${b.tenant!.slug}/account/sign-in`);
  });

  it('let a signed-in customer enrol in a free course from its page', async () => {
    const free = await buildCourse(admin, { lessons: 1, course: { slug: 'free-pages', title: 'Free pages' } });
    const coursePage = await page(world.t, 'GET', `/c/${slug}/courses/free-pages`, { cookie: outsider.cookie });
    expect(coursePage.body).toContain(`action="/c/${slug}/courses/free-pages/enroll"`);
    const enrolled = await page(world.t, 'POST', `/c/${slug}/courses/free-pages/enroll`, { cookie: outsider.cookie });
    expect(enrolled.status).toBe(303);
    expect(enrolled.headers.get('location')).toBe(`/c/${slug}/learn/${free.id}`);
    expect(await world.t.sql('select source from lms_enrollments where course_id = $1 and user_id = $2', [free.id, outsider.userId])).toEqual([
      { source: 'self' },
    ]);
    expect((await page(world.t, 'GET', `/c/${slug}/courses/free-pages`, { cookie: outsider.cookie })).body).toContain('Continue learning');

    const sold = await buildCourse(admin, { lessons: 1, course: { slug: 'sold-pages', shop_product_id: randomUUID() } });
    const draft = await buildCourse(admin, { lessons: 1, status: 'draft', course: { slug: 'draft-pages' } });
    expect((await page(world.t, 'POST', `/c/${slug}/courses/sold-pages/enroll`, { cookie: outsider.cookie })).status).toBe(403);
    expect((await page(world.t, 'POST', `/c/${slug}/courses/draft-pages/enroll`, { cookie: outsider.cookie })).status).toBe(404);
    expect((await page(world.t, 'POST', `/c/${slug}/courses/Bad%20Slug/enroll`, { cookie: outsider.cookie })).status).toBe(404);
    expect(await world.t.sql('select id from lms_enrollments where course_id = any($1::uuid[])', [[sold.id, draft.id]])).toEqual([]);
  });
  it('answer a lesson whose quiz must be passed first with the lesson again and a 409, completing nothing', async () => {
    const quizzed = await buildCourse(admin, { lessons: 1, course: { slug: 'quizzed', title: 'Quizzed' } });
    const quiz = await admin('PUT', `/lessons/${quizzed.lessonIds[0]}/quiz`, {
      title: 'Q',
      pass_mark: 100,
      required_to_complete: true,
      questions: [{ kind: 'short', prompt: '2 + 2?', accepted_answers: ['4'] }],
    });
    expect(quiz.status).toBe(200);
    expect((await admin('POST', `/courses/${quizzed.id}/enrollments`, { user_id: learner.userId })).status).toBe(201);
    const lesson = `/c/${slug}/learn/${quizzed.id}/lessons/${quizzed.lessonIds[0]}`;
    const answer = await page(world.t, 'POST', `${lesson}/complete`, { cookie: learner.cookie });
    expect(answer.status).toBe(409);
    expect(answer.body).toContain('Pass this lesson’s quiz to complete it.');
    expect(await world.t.sql('select id from lms_lesson_progress where lesson_id = $1', [quizzed.lessonIds[0]])).toEqual([]);
  });

  it('keep a drip lesson locked (its date on the course page, 403 on the lesson) and serve stored files to readers only', async () => {
    const file = await world.t.upload(world.owner, { name: 'notes.pdf', data: Buffer.from('%PDF-1.4\n% notes\n%%EOF\n') }, { visibility: 'private' });
    expect(file.status).toBe(201);
    const dripped = await buildCourse(admin, { lessons: 1, course: { slug: 'dripped', title: 'Dripped' } });
    const later = await admin('POST', `/modules/${dripped.moduleIds[0]}/lessons`, { title: 'Later', status: 'published', drip_days: 5 });
    expect(later.status).toBe(201);
    expect((await admin('PATCH', `/lessons/${dripped.lessonIds[0]}`, { attachments: [{ title: 'Notes', file_id: file.body.data.id }] })).status).toBe(200);
    expect((await admin('POST', `/courses/${dripped.id}/enrollments`, { user_id: learner.userId })).status).toBe(201);
    const outline = await page(world.t, 'GET', `/c/${slug}/learn/${dripped.id}`, { cookie: learner.cookie });
    expect(outline.body).toContain('Unlocks on');
    expect(outline.body).not.toContain(`lessons/${later.body.data.id}"`);
    const locked = await page(world.t, 'GET', `/c/${slug}/learn/${dripped.id}/lessons/${later.body.data.id}`, { cookie: learner.cookie });
    expect(locked.status).toBe(403);
    expect(locked.body).toContain('not available yet');
    expect(locked.body).toContain(`href="/c/${slug}/learn/${dripped.id}"`);

    const lesson = `/c/${slug}/learn/${dripped.id}/lessons/${dripped.lessonIds[0]}`;
    const fileLink = `${lesson}/files/${file.body.data.id}`;
    expect((await page(world.t, 'GET', lesson, { cookie: learner.cookie })).body).toContain(`href="${fileLink}"`);
    const served = await page(world.t, 'GET', fileLink, { cookie: learner.cookie });
    expect(served.status).toBe(302);
    expect(served.headers.get('location')).toBeTruthy();
    expect((await page(world.t, 'GET', fileLink, { cookie: outsider.cookie })).status).toBe(403);
    expect((await page(world.t, 'GET', `${lesson}/files/${randomUUID()}`, { cookie: learner.cookie })).status).toBe(404);
    expect((await page(world.t, 'GET', fileLink)).status).toBe(303);
  });
  it('open to staff signed in on the pages too, and speak Arabic right to left for an Arabic tenant', async () => {
    const staff = await world.member();
    const cookie = await staffCookie(world.t, slug, staff);
    expect((await page(world.t, 'GET', `/c/${slug}/learn`, { cookie })).status).toBe(200);
    expect((await page(world.t, 'GET', `/c/${slug}/learn/${course.id}`, { cookie })).status).toBe(403);
    expect((await world.t.request('PATCH', '/api/v1/tenant', { headers: world.owner.headers, body: { locale: 'ar-EG' } })).status).toBe(200);
    const mine = await page(world.t, 'GET', `/c/${slug}/learn`, { cookie: learner.cookie });
    expect(mine.body).toContain('dir="rtl"');
    expect(mine.body).toContain('دوراتي');
  });
});
