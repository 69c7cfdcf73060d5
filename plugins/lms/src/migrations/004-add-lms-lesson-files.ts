import { defineMigration } from '@plinth/sdk';

/**
 * Stored files in lessons: a lesson's video (`video_file_id`; its attachments keep `file_id` in their JSON) and
 * learners' submissions, one current file per learner and lesson. File ids name rows of core's `files` (no foreign
 * key: those rows are core's; a purge removes the files and these rows in one transaction).
 */
export const addLessonFiles = defineMigration({
  name: '004-add-lms-lesson-files',
  async up({ createTenantTable, db }) {
    await db.raw('alter table lms_lessons add column video_file_id uuid');
    await createTenantTable('lms_submissions', (table) => {
      table.uuid('lesson_id').notNullable().references('id').inTable('lms_lessons').onDelete('CASCADE');
      table.uuid('course_id').notNullable().references('id').inTable('lms_courses').onDelete('CASCADE');
      table.uuid('user_id').notNullable();
      table.uuid('file_id').notNullable();
      table.unique(['tenant_id', 'lesson_id', 'user_id']);
      table.index(['tenant_id', 'course_id']);
    });
  },
  async down({ db }) {
    await db.schema.dropTable('lms_submissions');
    await db.raw('alter table lms_lessons drop column video_file_id');
  },
});
