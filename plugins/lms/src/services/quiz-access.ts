import { NotFoundError, Nullable, type Static, type Stored, type TenantDb, Timestamp, Type } from '@plinth/sdk';
import type { QuestionRow } from './quiz-model.js';

/** A quiz as the API shows it (without its questions). */
export const Quiz = Type.Object({
  id: Type.String({ format: 'uuid' }),
  lesson_id: Type.String({ format: 'uuid' }),
  title: Type.String(),
  pass_mark: Type.Integer(),
  attempts_limit: Nullable(Type.Integer()),
  time_limit_seconds: Nullable(Type.Integer()),
  required_to_complete: Type.Boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
});

/** A stored quiz, read with {@link quizColumns}. */
export type QuizRow = Stored<Static<typeof Quiz>, 'created_at' | 'updated_at'>;

/** Columns of a quiz as the API shows it. */
export const quizColumns = 'id, lesson_id, title, pass_mark, attempts_limit, time_limit_seconds, required_to_complete, created_at, updated_at';

/** A quiz by id, 404 when missing. */
export async function loadQuiz(db: TenantDb, quizId: string): Promise<QuizRow> {
  const quiz = await db.one<QuizRow>(`select ${quizColumns} from lms_quizzes where id = $1`, [quizId]);
  if (!quiz) throw new NotFoundError('Quiz not found');
  return quiz;
}

/** A quiz's questions in order, with their answers (never send these to a learner: see `publicQuestion`). */
export async function quizQuestions(db: TenantDb, quizId: string): Promise<QuestionRow[]> {
  return db.query<QuestionRow>('select id, kind, prompt, options, correct, points, position from lms_questions where quiz_id = $1 order by position', [quizId]);
}
