import { randomUUID } from 'node:crypto';
import { auditTrail, type TestAuditEntry, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeShop } from './fixtures/fake-shop.js';
import { bootLms, buildCourse, type Call, type LmsWorld } from './support.js';

let world: LmsWorld;
let owner: Call;
let learner: TestUser;
beforeAll(async () => {
  world = await bootLms([fakeShop]);
  await world.t.enable(world.owner, 'shop');
  owner = world.as(world.owner);
  learner = await world.member(['member']);
});
afterAll(() => world?.t.close());

/** The tenant's LMS audit entries about one record, oldest first. */
const about = async (id: string, action = 'lms.') => (await auditTrail(world.t, world.owner, { action, targetId: id })).entries;
const actions = (entries: TestAuditEntry[]) => entries.map((entry) => entry.action);

describe('the LMS audit trail', () => {
  it('records a course’s life with the fields that changed: created, updated, published, archived, deleted', async () => {
    const created = await owner('POST', '/courses', { title: 'Audited', slug: 'audited' });
    const id = created.body.data.id as string;
    expect((await owner('PATCH', `/courses/${id}`, { title: 'Audited twice', category: 'Law' })).status).toBe(200);
    expect((await owner('PATCH', `/courses/${id}`, { status: 'published' })).status).toBe(200);
    expect((await owner('PATCH', `/courses/${id}`, { status: 'archived' })).status).toBe(200);
    expect((await owner('DELETE', `/courses/${id}`)).status).toBe(204);
    const entries = await about(id);
    expect(actions(entries)).toEqual(['lms.course.created', 'lms.course.updated', 'lms.course.published', 'lms.course.archived', 'lms.course.deleted']);
    const [first, updated, published] = entries;
    expect(first!.actor.user_id).toBe(world.owner.id);
    expect(first!.target).toEqual({ type: 'course', id });
    expect(first!.data.changes).toMatchObject({ title: { to: 'Audited' }, slug: { to: 'audited' }, status: { to: 'draft' } });
    expect(updated!.data.changes).toEqual({ title: { from: 'Audited', to: 'Audited twice' }, category: { from: null, to: 'Law' } });
    expect(published!.data.changes).toMatchObject({ status: { from: 'draft', to: 'published' }, published_at: { from: null } });
  });

  it('records modules, lessons (content redacted: its size, not a secret) and quizzes', async () => {
    const course = await buildCourse(owner, { lessons: 2 });
    const [moduleId] = course.moduleIds;
    const [lessonId, otherLessonId] = course.lessonIds;
    expect((await owner('PATCH', `/modules/${moduleId}`, { title: 'Basics' })).status).toBe(200);
    expect((await owner('PUT', `/modules/${moduleId}/lessons/order`, { ids: [otherLessonId, lessonId] })).status).toBe(200);
    expect((await owner('PATCH', `/lessons/${lessonId}`, { title: 'Renamed', content_html: '<p>Sensitive draft wording</p>' })).status).toBe(200);
    const quiz = { title: 'Check', pass_mark: 50, questions: [{ kind: 'single', prompt: 'Two plus two?', options: ['3', '4'], correct_option: 1 }] };
    expect((await owner('PUT', `/lessons/${lessonId}/quiz`, quiz)).status).toBe(200);
    expect((await owner('PUT', `/lessons/${lessonId}/quiz`, { ...quiz, pass_mark: 80 })).status).toBe(200);
    expect((await owner('DELETE', `/lessons/${lessonId}/quiz`)).status).toBe(204);
    expect((await owner('DELETE', `/lessons/${otherLessonId}`)).status).toBe(204);

    const module = await about(moduleId!);
    expect(actions(module)).toEqual(['lms.module.created', 'lms.module.updated', 'lms.module.lessons_reordered']);
    expect(module[2]!.data.changes).toEqual({ order: { from: [lessonId, otherLessonId], to: [otherLessonId, lessonId] } });
    const lesson = await about(lessonId!);
    expect(actions(lesson)).toEqual(['lms.lesson.created', 'lms.lesson.updated']);
    expect(lesson[1]!.data.changes).toEqual({ title: { from: 'Lesson 1', to: 'Renamed' }, content_html: { redacted: true } });
    expect(JSON.stringify(lesson)).not.toContain('Sensitive draft wording');
    expect(actions(await about(otherLessonId!))).toEqual(['lms.lesson.created', 'lms.lesson.deleted']);
    const quizzes = await (
      await world.t.request('GET', '/api/v1/audit-log?action=lms.quiz.&per_page=100', { headers: world.owner.headers })
    ).body.data.reverse();
    expect(quizzes.map((entry: TestAuditEntry) => entry.action)).toEqual(['lms.quiz.created', 'lms.quiz.updated', 'lms.quiz.deleted']);
    // A save renews the questions' ids: the diff shows only what changed.
    expect(quizzes[1].data.changes).toEqual({ pass_mark: { from: 50, to: 80 } });
  });

  it('records enrolments, with the learner’s noted name and email redacted, and their completion and certificate', async () => {
    const course = await buildCourse(owner, { lessons: 1 });
    const enrolled = await owner('POST', `/courses/${course.id}/enrollments`, { user_id: learner.id });
    expect(enrolled.status).toBe(201);
    const id = enrolled.body.data.id as string;
    expect((await owner('PATCH', `/enrollments/${id}`, { expires_at: '2099-01-01T00:00:00Z' })).status).toBe(200);
    expect((await world.as(learner)('POST', `/lessons/${course.lessonIds[0]}/complete`)).status).toBe(200);
    expect((await owner('DELETE', `/enrollments/${id}`)).status).toBe(204);

    const entries = await about(id);
    expect(actions(entries)).toEqual(['lms.enrollment.created', 'lms.enrollment.updated', 'lms.enrollment.completed', 'lms.enrollment.deleted']);
    expect(entries[0]!.data.changes).toMatchObject({
      user_id: { to: learner.id },
      source: { to: 'manual' },
      learner_email: { redacted: true },
      learner_name: { redacted: true },
    });
    expect(entries[1]!.data.changes).toEqual({ expires_at: { from: null, to: '2099-01-01T00:00:00.000Z' } });
    // The learner completed the course herself: the entry's actor is her.
    expect(entries[2]!.actor.user_id).toBe(learner.id);
    expect(JSON.stringify(entries.map((entry) => entry.data))).not.toContain(learner.email);
    const certificates = (await world.t.request('GET', '/api/v1/audit-log?action=lms.certificate.issued', { headers: world.owner.headers })).body
      .data as TestAuditEntry[];
    expect(certificates).toHaveLength(1);
    expect(certificates[0]!.data.changes).toMatchObject({ learner_name: { redacted: true }, course_id: { to: course.id } });
  });

  it('records a paid order’s purchase (by the plugin, the buyer’s email redacted) and its claim by staff', async () => {
    const course = await buildCourse(owner, { lessons: 1 });
    const email = 'stranger-buyer@example.test';
    const line = { lineId: randomUUID(), productId: randomUUID(), variantId: randomUUID(), sku: 'C', name: 'Course', quantity: 1, unitPrice: 900, total: 900 };
    const payload = {
      orderId: randomUUID(),
      number: 'SO-7',
      currency: 'EUR',
      total: 900,
      customer: { id: randomUUID(), email, name: null, userId: null },
      lines: [{ ...line, metadata: { lms_course_id: course.id } }],
    };
    expect((await world.t.request('POST', '/api/v1/shop/test/paid', { headers: world.owner.headers, body: payload })).status).toBe(200);
    await world.t.drainEvents();
    const [purchase] = (await owner('GET', `/purchases?course_id=${course.id}`)).body.data;
    expect(purchase.outcome).toBe('no_member');
    expect((await owner('POST', `/purchases/${purchase.id}/enroll`, { user_id: learner.id })).status).toBe(200);
    const entries = await about(purchase.id);
    expect(actions(entries)).toEqual(['lms.purchase.created', 'lms.purchase.claimed']);
    expect(entries[0]!.actor.user_id).toBeNull();
    expect(entries[0]!.data).toMatchObject({
      by: 'lms',
      order_id: payload.orderId,
      changes: { customer_email: { redacted: true }, outcome: { to: 'no_member' } },
    });
    expect(entries[1]!.data.changes).toMatchObject({ outcome: { from: 'no_member', to: 'enrolled' }, user_id: { from: null, to: learner.id } });
    expect(JSON.stringify(entries)).not.toContain(email);
  });

  it('records guardian links', async () => {
    const guardian = await world.member(['member']);
    const link = await owner('POST', '/guardians', { guardian_user_id: guardian.id, learner_user_id: learner.id });
    expect(link.status).toBe(201);
    expect((await owner('DELETE', `/guardians/${link.body.data.id}`)).status).toBe(204);
    expect(actions(await about(link.body.data.id))).toEqual(['lms.guardian.created', 'lms.guardian.deleted']);
  });

  it('a request refused after its write leaves no entry (the change and its entry roll back together)', async () => {
    const course = await buildCourse(owner, { lessons: 1 });
    const [lessonId] = course.lessonIds;
    const before = await about(lessonId!);
    // The lesson is updated and its entry written, then the video file is refused: 422, nothing kept.
    const refused = await owner('PATCH', `/lessons/${lessonId}`, { title: 'Never saved', video_file_id: randomUUID() });
    expect(refused.status, JSON.stringify(refused.body)).toBe(422);
    expect(await about(lessonId!)).toEqual(before);
    expect((await owner('GET', `/lessons/${lessonId}`)).body.data.title).toBe('Lesson 1');
  });

  it('does not record reads', async () => {
    const course = await buildCourse(owner, { lessons: 1 });
    const before = (await about(course.id)).length;
    await owner('GET', `/courses/${course.id}`);
    await owner('GET', `/courses/${course.id}/report`);
    expect(await about(course.id)).toHaveLength(before);
  });
});
