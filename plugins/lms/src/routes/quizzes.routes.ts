import { type AnyRoute, NoContent, NotFoundError, Nullable, Reply, toJson, Type } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { lmsPermissions as permissions } from '../permissions.js';
import { callerId, canManageCourse } from '../services/access.js';
import { managedLesson, readableLesson } from '../services/lesson-access.js';
import { Quiz, quizColumns, quizQuestions, type QuizRow } from '../services/quiz-access.js';
import { publicQuestion, PublicQuestion, Question, type QuestionRow, QuizInput, storedQuestions } from '../services/quiz-model.js';
import { IdParams } from '../services/schemas.js';

/** A quiz as staff and instructors see it: with the answers. */
const QuizWithAnswers = Type.Composite([Quiz, Type.Object({ questions: Type.Array(Question) })]);
/** A quiz as a learner sees it: the questions without answers, and their attempts so far. */
const QuizForLearner = Type.Composite([
  Quiz,
  Type.Object({
    questions: Type.Array(PublicQuestion),
    my_attempts: Type.Object({
      used: Type.Integer(),
      remaining: Nullable(Type.Integer(), { description: 'null: no limit' }),
      best_score: Nullable(Type.Integer()),
      passed: Type.Boolean(),
    }),
  }),
]);

/** Questions as the audit log keeps them: without their ids, which every save renews (the diff shows what changed). */
function auditQuestions(questions: readonly QuestionRow[]) {
  return questions.map(({ id: _, ...question }) => question);
}

/** `/lessons/:id/quiz`: a lesson's quiz. Staff and instructors see the answers; learners never do. */
export function quizRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'PUT',
      path: '/lessons/:id/quiz',
      summary: 'Create or replace a lesson’s quiz and its questions (past attempts keep their scores)',
      permission: permissions['learning.access'],
      schema: { params: IdParams, body: QuizInput, response: QuizWithAnswers },
      async handler({ params, body, deps, ctx }) {
        const lesson = await managedLesson(deps.db, ctx, params.id, (course) => canManageCourse(ctx, course));
        const current = await deps.db.one<QuizRow>(`select ${quizColumns} from lms_quizzes where lesson_id = $1 for update`, [params.id]);
        const before = current ? { ...current, questions: auditQuestions(await quizQuestions(deps.db, current.id)) } : null;
        const questions = storedQuestions(body.questions);
        const quiz = await deps.db.one<QuizRow>(
          `insert into lms_quizzes (lesson_id, title, pass_mark, attempts_limit, time_limit_seconds, required_to_complete) values ($1, $2, $3, $4, $5, $6)
           on conflict (tenant_id, lesson_id) do update set title = $2, pass_mark = $3, attempts_limit = $4, time_limit_seconds = $5,
             required_to_complete = $6, updated_at = now()
           returning ${quizColumns}`,
          [params.id, body.title, body.pass_mark, body.attempts_limit ?? null, body.time_limit_seconds ?? null, body.required_to_complete ?? false],
        );
        await deps.db.query('delete from lms_questions where quiz_id = $1', [quiz!.id]);
        await deps.db.query(
          `insert into lms_questions (quiz_id, kind, prompt, options, correct, points, position)
           select $1, q.kind, q.prompt, q.options, q.correct, q.points, q.position
             from jsonb_to_recordset($2::jsonb) as q(kind text, prompt text, options jsonb, correct jsonb, points int, position int)`,
          [quiz!.id, JSON.stringify(questions.map((question, index) => ({ ...question, position: index + 1 })))],
        );
        const saved = await quizQuestions(deps.db, quiz!.id);
        const after = { ...quiz!, questions: auditQuestions(saved) };
        await deps.audit.record({ entity: 'quiz', verb: before ? 'updated' : 'created', target: quiz!.id, unit: lesson.course.unit_id, before, after });
        return { ...toJson(quiz!), questions: saved };
      },
    }),
    route({
      method: 'GET',
      path: '/lessons/:id/quiz',
      summary: 'A lesson’s quiz: with answers for staff and instructors; for learners the questions only, and their attempts so far',
      permission: permissions['learning.access'],
      schema: { params: IdParams, response: Type.Union([QuizWithAnswers, QuizForLearner]) },
      async handler({ params, deps, ctx }) {
        const { staff } = await readableLesson(deps.db, ctx, params.id);
        const quiz = await deps.db.one<QuizRow>(`select ${quizColumns} from lms_quizzes where lesson_id = $1`, [params.id]);
        if (!quiz) throw new NotFoundError('This lesson has no quiz');
        const questions = await quizQuestions(deps.db, quiz.id);
        if (staff) return { ...toJson(quiz), questions };
        const [mine] = await deps.db.query<{ used: number; best: number | null; passed: boolean }>(
          'select count(*)::int as used, max(score) as best, coalesce(bool_or(passed), false) as passed from lms_attempts where quiz_id = $1 and user_id = $2',
          [quiz.id, callerId(ctx)],
        );
        return {
          ...toJson(quiz),
          questions: questions.map(publicQuestion),
          my_attempts: {
            used: mine!.used,
            remaining: quiz.attempts_limit === null ? null : Math.max(0, quiz.attempts_limit - mine!.used),
            best_score: mine!.best,
            passed: mine!.passed,
          },
        };
      },
    }),
    route({
      method: 'DELETE',
      path: '/lessons/:id/quiz',
      summary: 'Remove a lesson’s quiz with its attempts',
      permission: permissions['learning.access'],
      schema: { params: IdParams, response: NoContent },
      async handler({ params, deps, ctx }) {
        const lesson = await managedLesson(deps.db, ctx, params.id, (course) => canManageCourse(ctx, course));
        const [removed] = await deps.db.query<QuizRow>(`delete from lms_quizzes where lesson_id = $1 returning ${quizColumns}`, [params.id]);
        if (!removed) throw new NotFoundError('This lesson has no quiz');
        await deps.audit.record({ entity: 'quiz', verb: 'deleted', target: removed.id, unit: lesson.course.unit_id, before: removed });
        return Reply.noContent();
      },
    }),
  ];
}
