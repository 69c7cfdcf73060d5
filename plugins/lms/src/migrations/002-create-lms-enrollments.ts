import { defineMigration } from '@plinth/sdk';

/** Enrolments, lesson progress, guardians, purchases seen and notices sent. */
export const createEnrollments = defineMigration({
  name: '002-create-lms-enrollments',
  async up({ createTenantTable, db: knex }) {
    await createTenantTable('lms_enrollments', (table) => {
      table.uuid('course_id').notNullable().references('id').inTable('lms_courses').onDelete('CASCADE');
      table.uuid('user_id').notNullable();
      table.text('source').notNullable();
      table.text('order_id');
      table.timestamp('expires_at', { useTz: true });
      table.integer('progress_percent').notNullable().defaultTo(0);
      table.timestamp('completed_at', { useTz: true });
      table.timestamp('last_activity_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      table.timestamp('reminded_at', { useTz: true });
      table.unique(['tenant_id', 'course_id', 'user_id']);
      table.index(['tenant_id', 'user_id']);
    });
    await createTenantTable('lms_lesson_progress', (table) => {
      table.uuid('enrollment_id').notNullable().references('id').inTable('lms_enrollments').onDelete('CASCADE');
      table.uuid('lesson_id').notNullable().references('id').inTable('lms_lessons').onDelete('CASCADE');
      table.integer('position_seconds').notNullable().defaultTo(0);
      table.timestamp('completed_at', { useTz: true });
      table.unique(['tenant_id', 'enrollment_id', 'lesson_id']);
    });
    await createTenantTable('lms_guardians', (table) => {
      table.uuid('guardian_user_id').notNullable();
      table.uuid('learner_user_id').notNullable();
      table.unique(['tenant_id', 'guardian_user_id', 'learner_user_id']);
    });
    await createTenantTable('lms_purchases', (table) => {
      table.text('order_id').notNullable();
      table.uuid('course_id').notNullable().references('id').inTable('lms_courses').onDelete('CASCADE');
      table.text('customer_email').notNullable();
      table.uuid('user_id');
      table.uuid('enrollment_id').references('id').inTable('lms_enrollments').onDelete('SET NULL');
      table.text('outcome').notNullable();
      table.unique(['tenant_id', 'order_id', 'course_id']);
    });
    await createTenantTable('lms_drip_notices', (table) => {
      table.uuid('enrollment_id').notNullable().references('id').inTable('lms_enrollments').onDelete('CASCADE');
      table.uuid('lesson_id').notNullable().references('id').inTable('lms_lessons').onDelete('CASCADE');
      table.unique(['tenant_id', 'enrollment_id', 'lesson_id']);
    });
  },
  async down({ db }) {
    for (const table of ['lms_drip_notices', 'lms_purchases', 'lms_guardians', 'lms_lesson_progress', 'lms_enrollments']) await db.schema.dropTable(table);
  },
});
