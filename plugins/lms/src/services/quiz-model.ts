import { Type, ValidationError, type Static, type FieldErrors, Widget } from '@plinth/sdk';

const Prompt = Widget(Type.String({ minLength: 1, maxLength: 2000, title: 'Question' }), 'textarea');
const Points = Type.Optional(Type.Integer({ minimum: 1, maximum: 100, title: 'Points', description: 'Default 1' }));
const Options = Type.Array(Type.String({ minLength: 1, maxLength: 500 }), { minItems: 2, maxItems: 20, title: 'Choices' });

/** A question as staff write it: the correct answers travel only in this direction. */
export const QuestionInput = Type.Union([
  Type.Object(
    {
      kind: Type.Literal('single'),
      prompt: Prompt,
      options: Options,
      correct_option: Type.Integer({ minimum: 0, title: 'Correct choice', description: 'Its position in the choices, from 0' }),
      points: Points,
    },
    { additionalProperties: false, title: 'Single choice' },
  ),
  Type.Object(
    {
      kind: Type.Literal('multiple'),
      prompt: Prompt,
      options: Options,
      correct_options: Type.Array(Type.Integer({ minimum: 0 }), {
        minItems: 1,
        uniqueItems: true,
        title: 'Correct choices',
        description: 'Their positions in the choices, from 0',
      }),
      points: Points,
    },
    { additionalProperties: false, title: 'Multiple choice' },
  ),
  Type.Object(
    {
      kind: Type.Literal('short'),
      prompt: Prompt,
      accepted_answers: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 20, title: 'Accepted answers' }),
      points: Points,
    },
    { additionalProperties: false, title: 'Short answer' },
  ),
]);
export type QuestionInput = Static<typeof QuestionInput>;

/** A quiz as staff write it (replaces the lesson's quiz and its questions). */
export const QuizInput = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200, title: 'Title' }),
    pass_mark: Type.Integer({ minimum: 0, maximum: 100, title: 'Pass mark (%)', description: 'Percent needed to pass' }),
    attempts_limit: Type.Optional(
      Type.Union([Type.Integer({ minimum: 1, maximum: 100 }), Type.Null()], { title: 'Attempts allowed', description: 'None: unlimited' }),
    ),
    time_limit_seconds: Type.Optional(
      Type.Union([Type.Integer({ minimum: 10, maximum: 86_400 }), Type.Null()], { title: 'Time limit (seconds)', description: 'None: untimed' }),
    ),
    required_to_complete: Type.Optional(
      Type.Boolean({ default: false, title: 'Required to complete', description: 'The lesson completes only after a passing attempt' }),
    ),
    questions: Type.Array(QuestionInput, { minItems: 1, maxItems: 200, title: 'Questions' }),
  },
  { additionalProperties: false },
);

const QuestionKind = Type.Union([Type.Literal('single'), Type.Literal('multiple'), Type.Literal('short')]);

/** A stored question, as staff see it. `correct` holds option indexes (choice) or accepted answers (short). */
export const Question = Type.Object({
  id: Type.String({ format: 'uuid' }),
  kind: QuestionKind,
  prompt: Type.String(),
  options: Type.Array(Type.String()),
  correct: Type.Array(Type.Union([Type.Integer(), Type.String()])),
  points: Type.Integer(),
  position: Type.Integer(),
});
export type QuestionRow = Static<typeof Question>;

/** A question as a learner sees it: no answers. */
export const PublicQuestion = Type.Object({
  id: Type.String({ format: 'uuid' }),
  kind: QuestionKind,
  prompt: Type.String(),
  options: Type.Array(Type.String()),
  points: Type.Integer(),
});

/** The stored form of a question: 422 when a correct option points outside the options. */
export function storedQuestion(question: QuestionInput, index: number, errors: FieldErrors): Omit<QuestionRow, 'id' | 'position'> {
  const points = question.points ?? 1;
  if (question.kind === 'short') return { kind: 'short', prompt: question.prompt, options: [], correct: question.accepted_answers.map(normalize), points };
  const correct = question.kind === 'single' ? [question.correct_option] : question.correct_options;
  if (correct.some((option) => option >= question.options.length)) {
    errors[`questions.${index}.${question.kind === 'single' ? 'correct_option' : 'correct_options'}`] = ['must point at one of the options'];
  }
  return { kind: question.kind, prompt: question.prompt, options: question.options, correct, points };
}

/** Validates every question, throwing one 422 with every problem. */
export function storedQuestions(questions: QuestionInput[]): Omit<QuestionRow, 'id' | 'position'>[] {
  const errors: FieldErrors = {};
  const stored = questions.map((question, index) => storedQuestion(question, index, errors));
  if (Object.keys(errors).length) throw new ValidationError(errors);
  return stored;
}

/** A question as a learner sees it: no answers. */
export function publicQuestion(question: QuestionRow): Static<typeof PublicQuestion> {
  return { id: question.id, kind: question.kind, prompt: question.prompt, options: question.options, points: question.points };
}

/** Short answers compare ignoring case and spacing: trimmed, lower-case, single spaces. */
export function normalize(answer: string): string {
  return answer.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ' ');
}

/** A learner's answer to one question. */
export const AnswerInput = Type.Object(
  {
    question_id: Type.String({ format: 'uuid' }),
    choices: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 100 }), { maxItems: 20, uniqueItems: true })),
    text: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);
export type AnswerInput = Static<typeof AnswerInput>;

/** Scores answers on the server: per question all-or-nothing; percent of points, rounded down. */
export function score(questions: QuestionRow[], answers: AnswerInput[]) {
  const byQuestion = new Map(answers.map((answer) => [answer.question_id, answer]));
  let earned = 0;
  let total = 0;
  const results = questions.map((question) => {
    const answer = byQuestion.get(question.id);
    total += question.points;
    let correct = false;
    if (question.kind === 'short') correct = answer?.text !== undefined && question.correct.includes(normalize(answer.text));
    else {
      const chosen = [...new Set(answer?.choices ?? [])].sort((a, b) => a - b);
      const expected = [...(question.correct as number[])].sort((a, b) => a - b);
      correct = chosen.length === expected.length && chosen.every((choice, index) => choice === expected[index]);
    }
    if (correct) earned += question.points;
    return { question_id: question.id, correct, points: correct ? question.points : 0 };
  });
  return { percent: total === 0 ? 0 : Math.floor((earned * 100) / total), results };
}
