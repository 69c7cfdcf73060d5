import { commonErrors, listPage, Nullable, type Stored, Timestamp, toJson, withStatus } from '@plinth/sdk';
import { ConflictError, NotFoundError, PageQuery, paginate, Reply, Type, ValidationError, type AnyRoute, type Static, type TenantDb } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { lmsPermissions as permissions } from '../permissions.js';
import { callerId, canSeeEverything, courseAccessJson } from '../services/access.js';
import { readableLesson } from '../services/lesson-access.js';
import { loadQuiz, quizQuestions, type QuizRow } from '../services/quiz-access.js';
import { AnswerInput, publicQuestion, PublicQuestion, score } from '../services/quiz-model.js';
import { IdParams } from '../services/schemas.js';

/** An attempt as the API shows it: per-question correctness, never the answers. */
const Attempt = Type.Object({
  id: Type.String({ format: 'uuid' }),
  quiz_id: Type.String({ format: 'uuid' }),
  user_id: Type.String({ format: 'uuid' }),
  status: Type.Union([Type.Literal('in_progress'), Type.Literal('submitted'), Type.Literal('expired')]),
  started_at: Timestamp,
  submitted_at: Nullable(Timestamp),
  score: Nullable(Type.Integer()),
  passed: Nullable(Type.Boolean()),
  results: Nullable(Type.Array(Type.Object({ question_id: Type.String({ format: 'uuid' }), correct: Type.Boolean(), points: Type.Integer() }))),
  ends_at: Nullable(Timestamp, { description: 'When the time limit runs out; null: untimed' }),
});
type AttemptRow = Stored<Omit<Static<typeof Attempt>, 'ends_at'>, 'started_at' | 'submitted_at'>;
const StartedAttempt = Type.Object({ attempt: Attempt, questions: Type.Array(PublicQuestion) });
const attemptColumns = 'id, quiz_id, user_id, status, started_at, submitted_at, score, passed, results';

/** The last moment a submission counts: start + time limit + the tenant's grace seconds. */
function deadline(quiz: QuizRow, attempt: Pick<AttemptRow, 'started_at'>, graceSeconds: number): Date | null {
  if (quiz.time_limit_seconds === null) return null;
  return new Date(new Date(attempt.started_at).getTime() + (quiz.time_limit_seconds + graceSeconds) * 1000);
}

function view(quiz: QuizRow, attempt: AttemptRow): Static<typeof Attempt> {
  const endsAt = quiz.time_limit_seconds === null ? null : new Date(new Date(attempt.started_at).getTime() + quiz.time_limit_seconds * 1000);
  return { ...toJson(attempt), ends_at: endsAt?.toISOString() ?? null };
}

/** Closes the user's open attempts of the quiz whose time (with grace) ran out: scored 0, failed, `expired`. */
async function expireOverdue(db: TenantDb, quiz: QuizRow, userId: string, graceSeconds: number): Promise<void> {
  if (quiz.time_limit_seconds === null) return;
  await db.query(
    `update lms_attempts set status = 'expired', score = 0, passed = false, submitted_at = now(), updated_at = now()
      where quiz_id = $1 and user_id = $2 and status = 'in_progress' and started_at + make_interval(secs => $3) < now()`,
    [quiz.id, userId, quiz.time_limit_seconds + graceSeconds],
  );
}

/** `/quizzes/:id/attempts`, `/attempts/:id`: taking a quiz, timed and scored on the server. */
export function attemptRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'POST',
      path: '/quizzes/:id/attempts',
      summary: 'Start an attempt (or resume the open one): the questions without answers, and when time runs out',
      errors: [commonErrors.conflict],
      permission: permissions['learning.access'],
      schema: { params: IdParams, response: withStatus(StartedAttempt, [200, 201]) },
      async handler({ params, deps, ctx }) {
        const quiz = await loadQuiz(deps.db, params.id);
        await readableLesson(deps.db, ctx, quiz.lesson_id, { requireEnrollment: true });
        const userId = callerId(ctx);
        // One learner's concurrent starts must not both pass the attempts check.
        await deps.db.query('select pg_advisory_xact_lock(hashtext($1))', [`lms.attempt:${quiz.id}:${userId}`]);
        await expireOverdue(deps.db, quiz, userId, ctx.settings.quizGraceSeconds);
        const questions = (await quizQuestions(deps.db, quiz.id)).map(publicQuestion);
        const open = await deps.db.one<AttemptRow>(
          `select ${attemptColumns} from lms_attempts where quiz_id = $1 and user_id = $2 and status = 'in_progress'`,
          [quiz.id, userId],
        );
        if (open) return { attempt: view(quiz, open), questions };
        const used = await deps.db.one<{ count: number }>('select count(*)::int as count from lms_attempts where quiz_id = $1 and user_id = $2', [
          quiz.id,
          userId,
        ]);
        if (quiz.attempts_limit !== null && used!.count >= quiz.attempts_limit) throw new ConflictError(`No attempts left (limit ${quiz.attempts_limit})`);
        const [attempt] = await deps.db.query<AttemptRow>(`insert into lms_attempts (quiz_id, user_id) values ($1, $2) returning ${attemptColumns}`, [
          quiz.id,
          userId,
        ]);
        return Reply.created({ attempt: view(quiz, attempt!), questions });
      },
    }),
    route({
      method: 'POST',
      path: '/attempts/:id/submit',
      summary: 'Submit answers: scored on the server; after the time limit (plus grace) the attempt is closed as expired with 0',
      errors: [commonErrors.conflict],
      permission: permissions['learning.access'],
      schema: {
        params: IdParams,
        body: Type.Object({ answers: Type.Array(AnswerInput, { maxItems: 200 }) }, { additionalProperties: false }),
        response: Type.Composite([Attempt, Type.Object({ late: Type.Boolean({ description: 'Submitted after the time limit (and grace): scored 0' }) })]),
      },
      async handler({ params, body, deps, ctx }) {
        const userId = callerId(ctx);
        const attempt = await deps.db.one<AttemptRow>(`select ${attemptColumns} from lms_attempts where id = $1 and user_id = $2 for update`, [
          params.id,
          userId,
        ]);
        if (!attempt) throw new NotFoundError('Attempt not found');
        if (attempt.status !== 'in_progress') throw new ConflictError('This attempt is already closed');
        const quiz = await loadQuiz(deps.db, attempt.quiz_id);
        const { lesson } = await readableLesson(deps.db, ctx, quiz.lesson_id, { requireEnrollment: true });
        const questions = await quizQuestions(deps.db, quiz.id);
        const known = new Set(questions.map((question) => question.id));
        const unknown = body.answers.filter((answer) => !known.has(answer.question_id)).map((answer) => answer.question_id);
        if (unknown.length) throw new ValidationError({ answers: unknown.map((id) => `${id} is not a question of this quiz`) });
        const ends = deadline(quiz, attempt, ctx.settings.quizGraceSeconds);
        const late = ends !== null && ends.getTime() < Date.now();
        const outcome = late ? { percent: 0, results: [] } : score(questions, body.answers);
        const passed = !late && outcome.percent >= quiz.pass_mark;
        const [closed] = await deps.db.query<AttemptRow>(
          `update lms_attempts set status = $2, answers = $3, results = $4, score = $5, passed = $6, submitted_at = now(), updated_at = now()
            where id = $1 returning ${attemptColumns}`,
          [attempt.id, late ? 'expired' : 'submitted', JSON.stringify(body.answers), JSON.stringify(outcome.results), outcome.percent, passed],
        );
        const payload = { attemptId: attempt.id, quizId: quiz.id, lessonId: lesson.id, userId, score: outcome.percent };
        await deps.events.emit(passed ? 'lms.quiz.passed' : 'lms.quiz.failed', payload);
        await deps.db.query('update lms_enrollments set last_activity_at = now() where course_id = $1 and user_id = $2', [lesson.course_id, userId]);
        return { ...view(quiz, closed!), late };
      },
    }),
    route({
      method: 'GET',
      path: '/attempts/:id',
      summary: 'An attempt (its learner, staff or the course’s instructors): score and per-question correctness, never the answers',
      permission: permissions['learning.access'],
      schema: { params: IdParams, response: Attempt },
      async handler({ params, deps, ctx }) {
        const attempt = await deps.db.one<AttemptRow & { course: Parameters<typeof canSeeEverything>[1] }>(
          `select ${attemptColumns.replaceAll(/(\w+)/g, 'a.$1')},
                  ${courseAccessJson()} as course
             from lms_attempts a join lms_quizzes q on q.id = a.quiz_id join lms_lessons l on l.id = q.lesson_id join lms_courses c on c.id = l.course_id
            where a.id = $1`,
          [params.id],
        );
        if (!attempt || (attempt.user_id !== callerId(ctx) && !canSeeEverything(ctx, attempt.course))) throw new NotFoundError('Attempt not found');
        const { course: _, ...rest } = attempt;
        return view(await loadQuiz(deps.db, attempt.quiz_id), rest);
      },
    }),
    route({
      method: 'GET',
      path: '/quizzes/:id/attempts',
      summary: 'Attempts at a quiz: the caller’s own; every learner’s for staff and instructors (`?user_id=` filters)',
      permission: permissions['learning.access'],
      schema: {
        params: IdParams,
        query: Type.Composite([PageQuery, Type.Object({ user_id: Type.Optional(Type.String({ format: 'uuid' })) })]),
        response: Type.Array(Attempt),
      },
      async handler({ params, query, deps, ctx }) {
        const quiz = await loadQuiz(deps.db, params.id);
        const { staff } = await readableLesson(deps.db, ctx, quiz.lesson_id);
        const userId = staff ? (query.user_id ?? null) : callerId(ctx);
        const { items, total } = await listPage<AttemptRow>(
          deps.db,
          {
            select: attemptColumns,
            from: 'lms_attempts',
            where: 'quiz_id = $1 and ($2::uuid is null or user_id = $2)',
            orderBy: 'started_at desc, id',
            values: [quiz.id, userId],
          },
          query,
        );
        return Reply.list(
          items.map((row) => view(quiz, row)),
          paginate(query, total),
        );
      },
    }),
  ];
}
