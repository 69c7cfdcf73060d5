import { defineMigration } from '@plinth/sdk';

/** Quizzes (one per lesson), their questions, learners' attempts, and certificates. */
export const createQuizzes = defineMigration({
  name: '003-create-lms-quizzes',
  async up({ createTenantTable, db: knex }) {
    await createTenantTable('lms_quizzes', (table) => {
      table.uuid('lesson_id').notNullable().references('id').inTable('lms_lessons').onDelete('CASCADE');
      table.text('title').notNullable();
      table.integer('pass_mark').notNullable();
      table.integer('attempts_limit');
      table.integer('time_limit_seconds');
      table.boolean('required_to_complete').notNullable().defaultTo(false);
      table.unique(['tenant_id', 'lesson_id']);
    });
    await createTenantTable('lms_questions', (table) => {
      table.uuid('quiz_id').notNullable().references('id').inTable('lms_quizzes').onDelete('CASCADE');
      table.text('kind').notNullable();
      table.text('prompt').notNullable();
      table.jsonb('options').notNullable().defaultTo('[]');
      table.jsonb('correct').notNullable();
      table.integer('points').notNullable().defaultTo(1);
      table.integer('position').notNullable();
      table.index(['tenant_id', 'quiz_id', 'position']);
    });
    await createTenantTable('lms_attempts', (table) => {
      table.uuid('quiz_id').notNullable().references('id').inTable('lms_quizzes').onDelete('CASCADE');
      table.uuid('user_id').notNullable();
      table.text('status').notNullable().defaultTo('in_progress');
      table.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      table.timestamp('submitted_at', { useTz: true });
      table.jsonb('answers');
      table.jsonb('results');
      table.integer('score');
      table.boolean('passed');
      table.index(['tenant_id', 'quiz_id', 'user_id']);
    });
    await createTenantTable('lms_certificates', (table) => {
      table.uuid('enrollment_id').notNullable().references('id').inTable('lms_enrollments').onDelete('CASCADE');
      table.uuid('course_id').notNullable().references('id').inTable('lms_courses').onDelete('CASCADE');
      table.uuid('user_id').notNullable();
      table.text('code').notNullable();
      table.text('learner_name').notNullable();
      table.text('course_title').notNullable();
      table.timestamp('issued_at', { useTz: true }).notNullable();
      table.unique(['tenant_id', 'enrollment_id']);
      table.unique(['code']);
    });
  },
  async down({ db }) {
    for (const table of ['lms_certificates', 'lms_attempts', 'lms_questions', 'lms_quizzes']) await db.schema.dropTable(table);
  },
});
