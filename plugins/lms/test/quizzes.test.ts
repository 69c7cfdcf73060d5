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

const quizBody = (extra: Record<string, unknown> = {}) => ({
  title: 'Check',
  pass_mark: 60,
  questions: [
    { kind: 'single', prompt: 'Capital of France?', options: ['Lyon', 'Paris', 'Nice'], correct_option: 1 },
    { kind: 'multiple', prompt: 'Primes?', options: ['2', '4', '5', '9'], correct_options: [0, 2], points: 2 },
    { kind: 'short', prompt: 'H2O is…', accepted_answers: ['Water'] },
  ],
  ...extra,
});

/** A published course with one lesson and a quiz, the learner enrolled; returns the lesson, quiz and question ids. */
async function quizLesson(extra: Record<string, unknown> = {}) {
  const course = await buildCourse(admin, { lessons: 1 });
  const lessonId = course.lessonIds[0]!;
  const quiz = await admin('PUT', `/lessons/${lessonId}/quiz`, quizBody(extra));
  if (quiz.status !== 200) throw new Error(JSON.stringify(quiz.body));
  await student('POST', `/courses/${course.id}/enroll`);
  const questionIds = quiz.body.data.questions.map((question: { id: string }) => question.id) as [string, string, string];
  return { course, lessonId, quizId: quiz.body.data.id as string, questionIds };
}

const allRight = (ids: [string, string, string]) => [
  { question_id: ids[0], choices: [1] },
  { question_id: ids[1], choices: [2, 0] },
  { question_id: ids[2], text: '  water ' },
];

describe('quizzes', () => {
  it('shows answers to staff but never to learners, before or after starting', async () => {
    const { lessonId, quizId } = await quizLesson();
    const staffView = await admin('GET', `/lessons/${lessonId}/quiz`);
    expect(staffView.body.data.questions[0]).toMatchObject({ correct: [1] });
    const learnerView = await student('GET', `/lessons/${lessonId}/quiz`);
    expect(learnerView.status).toBe(200);
    expect(learnerView.body.data.my_attempts).toEqual({ used: 0, remaining: null, best_score: null, passed: false });
    const started = await student('POST', `/quizzes/${quizId}/attempts`);
    expect(started.status).toBe(201);
    for (const body of [learnerView.body, started.body]) {
      const text = JSON.stringify(body);
      expect(text).not.toMatch(/correct|accepted|Water/);
      expect(body.data.questions).toHaveLength(3);
    }
    const outsider = await world.member();
    expect((await world.as(outsider)('GET', `/lessons/${lessonId}/quiz`)).status).toBe(403);
    expect((await world.as(outsider)('POST', `/quizzes/${quizId}/attempts`)).status).toBe(403);
  });

  it('scores on the server, emits passed/failed, and never echoes the right answers', async () => {
    const { quizId, questionIds, lessonId } = await quizLesson();
    const first = await student('POST', `/quizzes/${quizId}/attempts`);
    const failed = await student('POST', `/attempts/${first.body.data.attempt.id}/submit`, {
      answers: [
        { question_id: questionIds[0], choices: [0] },
        { question_id: questionIds[1], choices: [0] },
      ],
    });
    expect(failed.status).toBe(200);
    expect(failed.body.data).toMatchObject({ status: 'submitted', score: 0, passed: false, late: false });
    expect(failed.body.data.results).toEqual([
      { question_id: questionIds[0], correct: false, points: 0 },
      { question_id: questionIds[1], correct: false, points: 0 },
      { question_id: questionIds[2], correct: false, points: 0 },
    ]);
    expect((await student('POST', `/attempts/${first.body.data.attempt.id}/submit`, { answers: [] })).status).toBe(409);

    const second = await student('POST', `/quizzes/${quizId}/attempts`);
    const partly = await student('POST', `/attempts/${second.body.data.attempt.id}/submit`, {
      answers: [
        { question_id: questionIds[1], choices: [0, 2] },
        { question_id: questionIds[2], text: 'WATER' },
      ],
    });
    expect(partly.body.data).toMatchObject({ score: 75, passed: true });

    const third = await student('POST', `/quizzes/${quizId}/attempts`);
    expect((await student('POST', `/attempts/${third.body.data.attempt.id}/submit`, { answers: allRight(questionIds) })).body.data.score).toBe(100);

    const tenantId = world.owner.tenant!.id;
    expect((await eventsNamed(world.t, tenantId, 'lms.quiz.failed')).filter((event) => event.quizId === quizId)).toEqual([
      { attemptId: first.body.data.attempt.id, quizId, lessonId, userId: learner.id, score: 0 },
    ]);
    expect((await eventsNamed(world.t, tenantId, 'lms.quiz.passed')).filter((event) => event.quizId === quizId).map((event) => event.score)).toEqual([75, 100]);
    expect((await student('GET', `/quizzes/${quizId}/attempts`)).body.meta.pagination.total).toBe(3);
    expect((await student('GET', `/attempts/${first.body.data.attempt.id}`)).body.data).toMatchObject({ score: 0, status: 'submitted' });
  });

  it('resumes the open attempt instead of starting another', async () => {
    const { quizId } = await quizLesson({ attempts_limit: 1 });
    const first = await student('POST', `/quizzes/${quizId}/attempts`);
    const again = await student('POST', `/quizzes/${quizId}/attempts`);
    expect(again.status).toBe(200);
    expect(again.body.data.attempt.id).toBe(first.body.data.attempt.id);
  });

  it('enforces the attempts limit on the server', async () => {
    const { quizId, lessonId } = await quizLesson({ attempts_limit: 2 });
    for (let round = 0; round < 2; round++) {
      const attempt = await student('POST', `/quizzes/${quizId}/attempts`);
      expect(attempt.status).toBe(201);
      await student('POST', `/attempts/${attempt.body.data.attempt.id}/submit`, { answers: [] });
    }
    const refused = await student('POST', `/quizzes/${quizId}/attempts`);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/No attempts left/);
    expect((await student('GET', `/lessons/${lessonId}/quiz`)).body.data.my_attempts).toMatchObject({ used: 2, remaining: 0 });
    const concurrent = await quizLesson({ attempts_limit: 1 });
    const starts = await Promise.all([1, 2, 3].map(() => student('POST', `/quizzes/${concurrent.quizId}/attempts`)));
    expect(new Set(starts.map((start) => start.body.data.attempt.id)).size).toBe(1);
  });

  it('enforces the time limit on the server: a submission after limit + grace is closed as expired with 0', async () => {
    const { quizId, questionIds } = await quizLesson({ time_limit_seconds: 60 });
    const inTime = await student('POST', `/quizzes/${quizId}/attempts`);
    expect(inTime.body.data.attempt.ends_at).toEqual(expect.any(String));
    await world.t.sql("update lms_attempts set started_at = now() - interval '80 seconds' where id = $1", [inTime.body.data.attempt.id]);
    const withinGrace = await student('POST', `/attempts/${inTime.body.data.attempt.id}/submit`, { answers: allRight(questionIds) });
    expect(withinGrace.body.data).toMatchObject({ status: 'submitted', score: 100, late: false });

    const late = await student('POST', `/quizzes/${quizId}/attempts`);
    await world.t.sql("update lms_attempts set started_at = now() - interval '2 minutes' where id = $1", [late.body.data.attempt.id]);
    const refused = await student('POST', `/attempts/${late.body.data.attempt.id}/submit`, { answers: allRight(questionIds) });
    expect(refused.status).toBe(200);
    expect(refused.body.data).toMatchObject({ status: 'expired', score: 0, passed: false, late: true });

    const abandoned = await student('POST', `/quizzes/${quizId}/attempts`);
    await world.t.sql("update lms_attempts set started_at = now() - interval '1 hour' where id = $1", [abandoned.body.data.attempt.id]);
    const fresh = await student('POST', `/quizzes/${quizId}/attempts`);
    expect(fresh.status).toBe(201);
    expect(fresh.body.data.attempt.id).not.toBe(abandoned.body.data.attempt.id);
    expect((await student('GET', `/attempts/${abandoned.body.data.attempt.id}`)).body.data).toMatchObject({ status: 'expired', score: 0 });
  });

  it('requires a passing attempt to complete the lesson when the quiz says so', async () => {
    const { lessonId, quizId, questionIds } = await quizLesson({ required_to_complete: true });
    const blocked = await student('POST', `/lessons/${lessonId}/complete`);
    expect(blocked.status).toBe(409);
    const attempt = await student('POST', `/quizzes/${quizId}/attempts`);
    await student('POST', `/attempts/${attempt.body.data.attempt.id}/submit`, { answers: allRight(questionIds) });
    expect((await student('POST', `/lessons/${lessonId}/complete`)).status).toBe(200);
  });

  it('keeps attempts private to their learner and staff', async () => {
    const { quizId } = await quizLesson();
    const attempt = await student('POST', `/quizzes/${quizId}/attempts`);
    const classmate = await world.member();
    const peer = world.as(classmate);
    expect((await peer('GET', `/attempts/${attempt.body.data.attempt.id}`)).status).toBe(404);
    expect((await peer('POST', `/attempts/${attempt.body.data.attempt.id}/submit`, { answers: [] })).status).toBe(404);
    expect((await admin('GET', `/attempts/${attempt.body.data.attempt.id}`)).status).toBe(200);
    expect((await admin('GET', `/quizzes/${quizId}/attempts?user_id=${learner.id}`)).body.meta.pagination.total).toBe(1);
  });

  it('refuses bad quizzes and bad answers', async () => {
    const course = await buildCourse(admin, { lessons: 1 });
    const lessonId = course.lessonIds[0]!;
    const bad = [
      { ...quizBody(), pass_mark: 101 },
      { ...quizBody(), questions: [] },
      { ...quizBody(), questions: [{ kind: 'single', prompt: 'x', options: ['a'], correct_option: 0 }] },
      { ...quizBody(), questions: [{ kind: 'essay', prompt: 'x' }] },
      { ...quizBody(), questions: [{ kind: 'short', prompt: 'x', accepted_answers: [] }] },
      { ...quizBody(), time_limit_seconds: 1 },
    ];
    for (const body of bad) expect((await admin('PUT', `/lessons/${lessonId}/quiz`, body)).status, JSON.stringify(body)).toBe(422);
    const outOfRange = await admin('PUT', `/lessons/${lessonId}/quiz`, {
      ...quizBody(),
      questions: [{ kind: 'single', prompt: 'x', options: ['a', 'b'], correct_option: 5 }],
    });
    expect(outOfRange.status).toBe(422);
    expect(outOfRange.body.errors).toEqual({ 'questions.0.correct_option': ['must point at one of the options'] });
    expect((await admin('GET', `/lessons/${lessonId}/quiz`)).status).toBe(404);

    const { quizId } = await quizLesson();
    const attempt = await student('POST', `/quizzes/${quizId}/attempts`);
    const unknown = await student('POST', `/attempts/${attempt.body.data.attempt.id}/submit`, {
      answers: [{ question_id: '00000000-0000-4000-8000-000000000000', choices: [1] }],
    });
    expect(unknown.status).toBe(422);
    expect((await student('POST', `/attempts/${attempt.body.data.attempt.id}/submit`, { answers: [{ question_id: 'x' }] })).status).toBe(422);
    expect((await student('POST', `/attempts/${attempt.body.data.attempt.id}/submit`, {})).status).toBe(422);
    expect((await student('GET', `/attempts/${attempt.body.data.attempt.id}`)).body.data.status).toBe('in_progress');
    expect((await student('POST', '/quizzes/00000000-0000-4000-8000-000000000000/attempts')).status).toBe(404);
    expect((await student('PUT', `/lessons/${lessonId}/quiz`, quizBody())).status).toBe(403);
  });

  it('replaces and deletes a quiz', async () => {
    const { lessonId } = await quizLesson();
    const replaced = await admin('PUT', `/lessons/${lessonId}/quiz`, {
      ...quizBody(),
      title: 'New',
      questions: [{ kind: 'short', prompt: 'Say hi', accepted_answers: ['hi'] }],
    });
    expect(replaced.body.data).toMatchObject({ title: 'New', questions: [{ kind: 'short', prompt: 'Say hi', correct: ['hi'] }] });
    expect((await admin('DELETE', `/lessons/${lessonId}/quiz`)).status).toBe(204);
    expect((await admin('DELETE', `/lessons/${lessonId}/quiz`)).status).toBe(404);
  });
});
