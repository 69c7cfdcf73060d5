import type { TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLms, buildCourse, eventsNamed, type Call, type LmsWorld } from './support.js';

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

describe('what a learner may read', () => {
  it('sees only published courses in the catalogue, and their outline without drafts', async () => {
    const published = await buildCourse(admin, { lessons: 1 });
    const draft = await buildCourse(admin, { status: 'draft' });
    const draftLesson = await admin('POST', `/modules/${published.moduleIds[0]}/lessons`, { title: 'Unfinished' });
    const ids = (await student('GET', '/courses?per_page=100')).body.data.map((course: { id: string }) => course.id);
    expect(ids).toContain(published.id);
    expect(ids).not.toContain(draft.id);
    expect((await student('GET', `/courses/${draft.id}`)).status).toBe(404);
    const outline = (await student('GET', `/courses/${published.id}`)).body.data.modules[0].lessons.map((lesson: { id: string }) => lesson.id);
    expect(outline).toEqual(published.lessonIds);
    expect(outline).not.toContain(draftLesson.body.data.id);
  });

  it('cannot open lessons of a course they are not enrolled in, except free previews', async () => {
    const course = await buildCourse(admin, { lessons: 1 });
    const preview = await admin('POST', `/modules/${course.moduleIds[0]}/lessons`, {
      title: 'Taster',
      status: 'published',
      free_preview: true,
      content_html: '<p>free</p>',
    });
    const closed = await student('GET', `/lessons/${course.lessonIds[0]}`);
    expect(closed.status).toBe(403);
    expect(closed.body.code).toBe('forbidden');
    expect(JSON.stringify(closed.body)).not.toContain('Body 1');
    const open = await student('GET', `/lessons/${preview.body.data.id}`);
    expect(open.status).toBe(200);
    expect(open.body.data).toMatchObject({ content_html: '<p>free</p>', progress: null });
    expect((await student('POST', `/lessons/${preview.body.data.id}/complete`)).status).toBe(403);
  });

  it('cannot open unpublished lessons or lessons of draft courses even when enrolled', async () => {
    const course = await buildCourse(admin, { lessons: 1 });
    const draftLesson = await admin('POST', `/modules/${course.moduleIds[0]}/lessons`, { title: 'Draft', content_html: '<p>secret</p>', free_preview: true });
    await student('POST', `/courses/${course.id}/enroll`);
    expect((await student('GET', `/lessons/${course.lessonIds[0]}`)).status).toBe(200);
    const hidden = await student('GET', `/lessons/${draftLesson.body.data.id}`);
    expect(hidden.status).toBe(404);
    expect(JSON.stringify(hidden.body)).not.toContain('secret');
    await admin('PATCH', `/courses/${course.id}`, { status: 'draft' });
    expect((await student('GET', `/lessons/${course.lessonIds[0]}`)).status).toBe(404);
    expect((await admin('GET', `/lessons/${draftLesson.body.data.id}`)).status).toBe(200);
  });

  it('keeps an archived course open to its enrolled learners only, and out of the catalogue', async () => {
    const course = await buildCourse(admin, { lessons: 1 });
    await student('POST', `/courses/${course.id}/enroll`);
    await admin('PATCH', `/courses/${course.id}`, { status: 'archived' });
    expect((await student('GET', `/lessons/${course.lessonIds[0]}`)).status).toBe(200);
    expect((await student('GET', `/courses/${course.id}`)).status).toBe(200);
    expect((await student('GET', '/courses?per_page=100')).body.data.map((row: { id: string }) => row.id)).not.toContain(course.id);
    const outsider = world.as(await world.member());
    expect((await outsider('GET', `/courses/${course.id}`)).status).toBe(404);
    expect((await outsider('GET', `/lessons/${course.lessonIds[0]}`)).status).toBe(404);
  });

  it('cannot change courses, modules or lessons', async () => {
    const course = await buildCourse(admin, { lessons: 1 });
    expect((await student('POST', '/courses', { title: 'Mine', slug: 'mine' })).status).toBe(403);
    expect((await student('PATCH', `/courses/${course.id}`, { title: 'Hacked' })).status).toBe(403);
    expect((await student('POST', `/courses/${course.id}/modules`, { title: 'x' })).status).toBe(403);
    expect((await student('PATCH', `/lessons/${course.lessonIds[0]}`, { title: 'x' })).status).toBe(403);
    expect((await student('DELETE', `/lessons/${course.lessonIds[0]}`)).status).toBe(403);
    expect((await student('PUT', `/modules/${course.moduleIds[0]}/lessons/order`, { ids: course.lessonIds })).status).toBe(403);
  });
});

describe('self-enrolment', () => {
  it('enrols in a published free course once, and emits lms.enrollment.created once', async () => {
    const course = await buildCourse(admin);
    const first = await student('POST', `/courses/${course.id}/enroll`);
    expect(first.status).toBe(201);
    expect(first.body.data).toMatchObject({ course_id: course.id, user_id: learner.id, source: 'self', progress_percent: 0 });
    const again = await student('POST', `/courses/${course.id}/enroll`);
    expect(again.status).toBe(200);
    expect(again.body.data.id).toBe(first.body.data.id);
    const events = await eventsNamed(world.t, world.owner.tenant!.id, 'lms.enrollment.created');
    expect(events.filter((event) => event.courseId === course.id)).toEqual([
      {
        enrollmentId: first.body.data.id,
        courseId: course.id,
        courseTitle: expect.any(String),
        learner: { userId: learner.id, email: learner.email, name: expect.any(String) },
        source: 'self',
        orderId: null,
      },
    ]);
  });

  it('refuses paid, draft and unknown courses', async () => {
    const paid = await buildCourse(admin, { course: { shop_product_id: '11111111-1111-4111-8111-111111111111' } });
    expect((await student('POST', `/courses/${paid.id}/enroll`)).status).toBe(403);
    const draft = await buildCourse(admin, { status: 'draft' });
    expect((await student('POST', `/courses/${draft.id}/enroll`)).status).toBe(404);
    const archived = await buildCourse(admin, { status: 'archived' });
    expect((await admin('POST', `/courses/${archived.id}/enroll`)).status).toBe(409);
    expect((await student('POST', '/courses/00000000-0000-4000-8000-000000000000/enroll')).status).toBe(404);
    expect((await student('POST', '/courses/nope/enroll')).status).toBe(422);
  });
});

describe('progress', () => {
  it('completes lessons, computes %, completes the course once, issues a certificate anyone can verify', async () => {
    const course = await buildCourse(admin, { lessons: 2 });
    const optional = await admin('POST', `/modules/${course.moduleIds[0]}/lessons`, { title: 'Extra', status: 'published', required: false });
    const enrollment = (await student('POST', `/courses/${course.id}/enroll`)).body.data;
    const [first, second] = course.lessonIds as [string, string];

    const half = await student('POST', `/lessons/${first}/complete`);
    expect(half.status).toBe(200);
    expect(half.body.data).toMatchObject({ lesson_id: first, course_progress_percent: 50, course_completed: false });
    expect((await student('POST', `/lessons/${first}/complete`)).body.data.completed_at).toBe(half.body.data.completed_at);
    expect((await student('POST', `/lessons/${optional.body.data.id}/complete`)).body.data.course_progress_percent).toBe(50);

    const done = await student('POST', `/lessons/${second}/complete`);
    expect(done.body.data).toMatchObject({ course_progress_percent: 100, course_completed: true });
    await student('POST', `/lessons/${second}/complete`);

    const tenantId = world.owner.tenant!.id;
    expect((await eventsNamed(world.t, tenantId, 'lms.lesson.completed')).filter((event) => event.enrollmentId === enrollment.id)).toHaveLength(3);
    const completed = (await eventsNamed(world.t, tenantId, 'lms.course.completed')).filter((event) => event.enrollmentId === enrollment.id);
    expect(completed).toEqual([
      {
        enrollmentId: enrollment.id,
        courseId: course.id,
        courseTitle: expect.any(String),
        learner: { userId: learner.id, email: learner.email, name: expect.any(String) },
      },
    ]);
    const issued = (await eventsNamed<{ code: string; courseId: string }>(world.t, tenantId, 'lms.certificate.issued')).filter(
      (event) => event.courseId === course.id,
    );
    expect(issued).toHaveLength(1);
    const code = issued[0]!.code;
    expect(code).toMatch(/^[A-Z2-9]{16}$/);

    const mine = await student('GET', '/my/courses');
    expect(mine.body.data.find((row: { course_id: string }) => row.course_id === course.id)).toMatchObject({
      progress_percent: 100,
      completed_at: expect.any(String),
      certificate_code: code,
    });
    expect((await student('GET', '/my/certificates')).body.data.map((row: { code: string }) => row.code)).toContain(code);

    const slug = world.owner.tenant!.slug;
    const verified = await world.t.request('GET', `/api/v1/lms/certificates/verify/${code}`, { headers: { 'x-tenant': slug } });
    expect(verified.status).toBe(200);
    const today = new Date().toISOString().slice(0, 10);
    const me = await world.t.request('GET', '/api/v1/me', { headers: learner.headers });
    expect(verified.body.data).toEqual({ name: me.body.data.user?.name ?? me.body.data.name, course: expect.any(String), date: today });
    const byPath = await world.t.request('GET', `/api/v1/lms/verify/${slug}/${code.toLowerCase()}`);
    expect(byPath.body.data).toEqual(verified.body.data);
    // The date is the issue day in the tenant's time zone: noon UTC is already the next day at UTC+14.
    await world.t.sql("update lms_certificates set issued_at = '2026-01-01T12:00:00Z' where code = $1", [code]);
    const zone = (time_zone: string) => world.t.request('PATCH', '/api/v1/tenant', { headers: world.owner.headers, body: { time_zone } });
    expect((await zone('Pacific/Kiritimati')).status).toBe(200);
    expect((await world.t.request('GET', `/api/v1/lms/verify/${slug}/${code}`)).body.data.date).toBe('2026-01-02');
    expect((await zone('UTC')).status).toBe(200);
    expect((await world.t.request('GET', `/api/v1/lms/verify/${slug}/${code}`)).body.data.date).toBe('2026-01-01');
    expect((await world.t.request('GET', `/api/v1/lms/verify/${slug}/AAAAAAAAAAAAAAAA`)).status).toBe(404);
    expect((await world.t.request('GET', `/api/v1/lms/verify/${slug}/short`)).status).toBe(422);
    expect((await world.t.request('GET', `/api/v1/lms/verify/no-such-tenant-x/${code}`)).status).toBe(404);
  });

  it('completes the course exactly once when its last lessons are completed at the same moment', async () => {
    const course = await buildCourse(admin, { lessons: 3 });
    const enrollment = (await student('POST', `/courses/${course.id}/enroll`)).body.data;
    const results = await Promise.all(course.lessonIds.map((lessonId) => student('POST', `/lessons/${lessonId}/complete`)));
    expect(results.map((result) => result.status)).toEqual([200, 200, 200]);
    const [stored] = await world.t.sql<{ progress_percent: number; completed_at: Date | null }>(
      'select progress_percent, completed_at from lms_enrollments where id = $1',
      [enrollment.id],
    );
    expect(stored).toMatchObject({ progress_percent: 100, completed_at: expect.any(Date) });
    const completed = (await eventsNamed(world.t, world.owner.tenant!.id, 'lms.course.completed')).filter((event) => event.enrollmentId === enrollment.id);
    expect(completed).toHaveLength(1);
    expect(await world.t.sql('select id from lms_certificates where enrollment_id = $1', [enrollment.id])).toHaveLength(1);
  });

  it('saves the video position and shows it with the lesson and in my/courses/:id', async () => {
    const course = await buildCourse(admin, { lessons: 1 });
    await student('POST', `/courses/${course.id}/enroll`);
    const lessonId = course.lessonIds[0]!;
    expect((await student('PUT', `/lessons/${lessonId}/position`, { position_seconds: 95 })).body.data).toEqual({ lesson_id: lessonId, position_seconds: 95 });
    expect((await student('GET', `/lessons/${lessonId}`)).body.data.progress).toEqual({ position_seconds: 95, completed_at: null });
    const detail = await student('GET', `/my/courses/${course.id}`);
    expect(detail.body.data.lessons[0]).toMatchObject({ id: lessonId, position_seconds: 95, completed_at: null, locked: false });
    for (const body of [{ position_seconds: -1 }, { position_seconds: 'x' }, {}])
      expect((await student('PUT', `/lessons/${lessonId}/position`, body)).status).toBe(422);
    const notEnrolled = await buildCourse(admin, { lessons: 1 });
    expect((await student('PUT', `/lessons/${notEnrolled.lessonIds[0]}/position`, { position_seconds: 1 })).status).toBe(403);
    expect((await student('GET', `/my/courses/${notEnrolled.id}`)).status).toBe(403);
  });

  it('keeps drip lessons locked until N days after enrolment', async () => {
    const course = await buildCourse(admin, { lessons: 1, lesson: { drip_days: 7 } });
    const enrollment = (await student('POST', `/courses/${course.id}/enroll`)).body.data;
    const lessonId = course.lessonIds[0]!;
    const locked = await student('GET', `/lessons/${lessonId}`);
    expect(locked.status).toBe(403);
    expect(locked.body.message).toMatch(/unlocks/);
    expect((await student('POST', `/lessons/${lessonId}/complete`)).status).toBe(403);
    expect((await student('GET', `/my/courses/${course.id}`)).body.data.lessons[0]).toMatchObject({ locked: true });
    await world.t.sql("update lms_enrollments set created_at = now() - interval '8 days' where id = $1", [enrollment.id]);
    expect((await student('GET', `/lessons/${lessonId}`)).status).toBe(200);
  });

  it('ends access when an enrolment expires', async () => {
    const course = await buildCourse(admin, { lessons: 1 });
    await admin('POST', `/courses/${course.id}/enrollments`, { user_id: learner.id, expires_at: new Date(Date.now() - 1000).toISOString() });
    expect((await student('GET', `/lessons/${course.lessonIds[0]}`)).status).toBe(403);
    const mine = (await student('GET', '/my/courses?per_page=100')).body.data.find((row: { course_id: string }) => row.course_id === course.id);
    expect(mine.expired).toBe(true);
  });
});
