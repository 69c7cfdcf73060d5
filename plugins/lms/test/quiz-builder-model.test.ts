/**
 * The quiz builder's model (web/parts/quiz-model.ts) against the real API: what the screen sends is what the PUT
 * takes, what the GET answers reads back into the same draft, and problems found before sending sit at the API's
 * own paths (so they show beside the same fields as the server's).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blankQuestion, draftOf, quizBody, type DraftQuiz, type StoredQuiz } from '../web/parts/quiz-model.js';
import { bootLms, buildCourse, type Call, type LmsWorld } from './support.js';

let world: LmsWorld;
let admin: Call;
beforeAll(async () => {
  world = await bootLms();
  admin = world.as(world.owner);
});
afterAll(() => world?.t.close());

/** English as the screen's `t` would give it. */
const t = (english: string) => english;
/** A draft without its list keys (new on every read). */
const unkeyed = (draft: DraftQuiz) => ({ ...draft, questions: draft.questions.map(({ key: _key, ...question }) => question) });

const draft: DraftQuiz = {
  title: 'Colour check',
  passMark: '60',
  attempts: '3',
  minutes: '2.5',
  required: true,
  questions: [
    { key: 'a', kind: 'single', prompt: 'First on the paper?', options: ['Colour', 'Water'], correct: [1], answers: [''], points: '1' },
    { key: 'b', kind: 'multiple', prompt: 'Primary colours?', options: ['Red', 'Green', 'Blue', 'Yellow'], correct: [3, 0, 2], answers: [''], points: '2' },
    { key: 'c', kind: 'short', prompt: 'This technique?', options: ['', ''], correct: [], answers: ['Wet on wet', ' '], points: '1' },
  ],
};

describe('quiz builder model', () => {
  it('sends a body the API takes, and reads the stored quiz back into the same draft', async () => {
    const { body, problems } = quizBody(draft, t);
    expect(problems).toEqual({});
    expect(body).toMatchObject({ pass_mark: 60, attempts_limit: 3, time_limit_seconds: 150, required_to_complete: true });
    expect(body.questions[1]).toEqual({
      kind: 'multiple',
      prompt: 'Primary colours?',
      points: 2,
      options: ['Red', 'Green', 'Blue', 'Yellow'],
      correct_options: [0, 2, 3],
    });
    const course = await buildCourse(admin, { lessons: 1 });
    const saved = await admin('PUT', `/lessons/${course.lessonIds[0]}/quiz`, body);
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const read = await admin('GET', `/lessons/${course.lessonIds[0]}/quiz`);
    expect(unkeyed(draftOf(read.body.data as StoredQuiz, ''))).toEqual(
      unkeyed({
        ...draft,
        questions: draft.questions.map((question) =>
          question.kind === 'short' ? { ...question, answers: ['wet on wet'] } : question.kind === 'multiple' ? { ...question, correct: [0, 2, 3] } : question,
        ),
      }),
    );
  });

  it('empty fields mean no limit and no timer', () => {
    const { body, problems } = quizBody({ ...draft, attempts: ' ', minutes: '' }, t);
    expect(problems).toEqual({});
    expect([body.attempts_limit, body.time_limit_seconds]).toEqual([null, null]);
  });

  it('finds the problems before sending, at the paths the API would name', () => {
    const bad: DraftQuiz = {
      title: ' ',
      passMark: '101',
      attempts: '0',
      minutes: '0.1',
      required: false,
      questions: [
        { ...blankQuestion('single'), correct: [] },
        { ...blankQuestion('multiple'), prompt: 'Which?', options: ['One', ''], correct: [], points: '1.5' },
        { ...blankQuestion('short'), prompt: 'Say', answers: [' '] },
      ],
    };
    expect(Object.keys(quizBody(bad, t).problems).sort()).toEqual([
      'attempts_limit',
      'pass_mark',
      'questions.0.correct_option',
      'questions.0.options.0',
      'questions.0.options.1',
      'questions.0.prompt',
      'questions.1.correct_options',
      'questions.1.options.1',
      'questions.1.points',
      'questions.2.accepted_answers',
      'time_limit_seconds',
      'title',
    ]);
    expect(quizBody({ ...draft, questions: [] }, t).problems).toEqual({ questions: ['Add at least one question.'] });
  });

  it('a new lesson’s quiz starts with one single-choice question, titled after the lesson', () => {
    const fresh = draftOf(undefined, 'Wet on wet');
    expect(fresh).toMatchObject({ title: 'Wet on wet', passMark: '70', attempts: '', minutes: '' });
    expect(fresh.questions).toHaveLength(1);
    expect(fresh.questions[0]).toMatchObject({ kind: 'single', options: ['', ''], correct: [0] });
  });
});
