/**
 * The quiz builder's working copy of a quiz, and its conversion to and from the API's shapes
 * (`PUT /lms/lessons/:id/quiz` takes `QuizInput`; `GET` answers stored questions with `correct` indexes or answers).
 */
export type QuestionKind = 'single' | 'multiple' | 'short';

/** A question being written: text fields stay strings until saved. */
export interface DraftQuestion {
  /** A stable key for the list while questions move (stored ids change on every save). */
  key: string;
  kind: QuestionKind;
  prompt: string;
  /** The choices (single and multiple choice). */
  options: string[];
  /** Positions of the correct choices. */
  correct: number[];
  /** Accepted answers (short answer). */
  answers: string[];
  points: string;
}

export interface DraftQuiz {
  title: string;
  passMark: string;
  attempts: string;
  minutes: string;
  required: boolean;
  questions: DraftQuestion[];
}

/** A stored quiz as staff read it. */
export interface StoredQuiz {
  title: string;
  pass_mark: number;
  attempts_limit: number | null;
  time_limit_seconds: number | null;
  required_to_complete: boolean;
  questions: { kind: QuestionKind; prompt: string; options: string[]; correct: (number | string)[]; points: number }[];
}

let keys = 0;
export const newKey = () => `q${(keys += 1)}`;

export function blankQuestion(kind: QuestionKind = 'single'): DraftQuestion {
  return { key: newKey(), kind, prompt: '', options: ['', ''], correct: kind === 'short' ? [] : [0], answers: [''], points: '1' };
}

export function draftOf(quiz: StoredQuiz | undefined, lessonTitle: string): DraftQuiz {
  if (!quiz) return { title: lessonTitle, passMark: '70', attempts: '', minutes: '', required: false, questions: [blankQuestion()] };
  return {
    title: quiz.title,
    passMark: String(quiz.pass_mark),
    attempts: quiz.attempts_limit === null ? '' : String(quiz.attempts_limit),
    minutes: quiz.time_limit_seconds === null ? '' : String(quiz.time_limit_seconds / 60),
    required: quiz.required_to_complete,
    questions: quiz.questions.map((question) => ({
      key: newKey(),
      kind: question.kind,
      prompt: question.prompt,
      options: question.kind === 'short' ? ['', ''] : question.options,
      correct: question.kind === 'short' ? [] : (question.correct as number[]),
      answers: question.kind === 'short' ? (question.correct as string[]) : [''],
      points: String(question.points),
    })),
  };
}

/** A whole number typed in a field, or undefined when it is not one. */
function whole(text: string): number | undefined {
  const value = Number(text.trim());
  return text.trim() !== '' && Number.isInteger(value) ? value : undefined;
}

/**
 * The body of the PUT and the problems found before sending it, at the API's own paths (`questions.0.prompt`), so
 * local and server messages show in the same places. `t` turns a message into the user's language.
 */
export function quizBody(draft: DraftQuiz, t: (english: string, values?: Record<string, number>) => string) {
  const problems: Record<string, string[]> = {};
  const problem = (path: string, message: string) => (problems[path] ??= []).push(message);
  if (!draft.title.trim()) problem('title', t('Write a title.'));
  const passMark = whole(draft.passMark);
  if (passMark === undefined || passMark < 0 || passMark > 100) problem('pass_mark', t('Enter a whole percent from 0 to 100.'));
  const attempts = draft.attempts.trim() === '' ? null : whole(draft.attempts);
  if (attempts === undefined || (attempts !== null && (attempts < 1 || attempts > 100)))
    problem('attempts_limit', t('Enter a whole number from 1 to 100, or leave it empty.'));
  const minutes = draft.minutes.trim() === '' ? null : Number(draft.minutes.trim());
  const seconds = minutes === null ? null : Math.round(minutes * 60);
  if (seconds !== null && (!Number.isFinite(seconds) || seconds < 10 || seconds > 86_400))
    problem('time_limit_seconds', t('Enter minutes from 1 to 1440, or leave it empty.'));
  if (draft.questions.length === 0) problem('questions', t('Add at least one question.'));
  const questions = draft.questions.map((question, index) => {
    const at = `questions.${index}`;
    if (!question.prompt.trim()) problem(`${at}.prompt`, t('Write the question.'));
    const points = whole(question.points);
    if (points === undefined || points < 1 || points > 100) problem(`${at}.points`, t('Enter a whole number from 1 to 100.'));
    const common = { prompt: question.prompt.trim(), points: points ?? 1 };
    if (question.kind === 'short') {
      const answers = question.answers.map((answer) => answer.trim()).filter(Boolean);
      if (answers.length === 0) problem(`${at}.accepted_answers`, t('Add at least one accepted answer.'));
      return { kind: 'short' as const, ...common, accepted_answers: answers };
    }
    question.options.forEach((option, choice) => {
      if (!option.trim()) problem(`${at}.options.${choice}`, t('Write this choice, or remove it.'));
    });
    if (question.options.length < 2) problem(`${at}.options`, t('Give at least two choices.'));
    const options = question.options.map((option) => option.trim());
    if (question.kind === 'single') {
      if (question.correct.length !== 1) problem(`${at}.correct_option`, t('Mark the correct choice.'));
      return { kind: 'single' as const, ...common, options, correct_option: question.correct[0] ?? 0 };
    }
    if (question.correct.length === 0) problem(`${at}.correct_options`, t('Mark at least one correct choice.'));
    return { kind: 'multiple' as const, ...common, options, correct_options: [...question.correct].sort((a, b) => a - b) };
  });
  const body = {
    title: draft.title.trim(),
    pass_mark: passMark ?? 0,
    attempts_limit: attempts ?? null,
    time_limit_seconds: seconds,
    required_to_complete: draft.required,
    questions,
  };
  return { body, problems };
}
