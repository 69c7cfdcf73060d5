import { defineMigration } from '@plinth/sdk';

/** Courses, their modules and lessons (ordered by `position`). */
export const createCourses = defineMigration({
  name: '001-create-lms-courses',
  async up({ createTenantTable, db }) {
    await createTenantTable('lms_courses', (table) => {
      table.text('title').notNullable();
      table.text('slug').notNullable();
      table.text('description').notNullable().defaultTo('');
      table.text('level').notNullable().defaultTo('beginner');
      table.text('category');
      table.text('status').notNullable().defaultTo('draft');
      table.uuid('shop_product_id');
      table.specificType('instructor_ids', 'uuid[]').notNullable().defaultTo('{}');
      table.timestamp('published_at', { useTz: true });
      table.unique(['tenant_id', 'slug']);
      table.index(['tenant_id', 'shop_product_id']);
    });
    await db.raw(`alter table lms_courses add constraint lms_courses_status check (status in ('draft', 'published', 'archived'))`);
    await createTenantTable('lms_modules', (table) => {
      table.uuid('course_id').notNullable().references('id').inTable('lms_courses').onDelete('CASCADE');
      table.text('title').notNullable();
      table.integer('position').notNullable();
      table.index(['tenant_id', 'course_id', 'position']);
    });
    await createTenantTable('lms_lessons', (table) => {
      table.uuid('course_id').notNullable().references('id').inTable('lms_courses').onDelete('CASCADE');
      table.uuid('module_id').notNullable().references('id').inTable('lms_modules').onDelete('CASCADE');
      table.text('title').notNullable();
      table.text('status').notNullable().defaultTo('draft');
      table.text('content_html').notNullable().defaultTo('');
      table.text('video_url');
      table.jsonb('attachments').notNullable().defaultTo('[]');
      table.integer('duration_seconds');
      table.boolean('free_preview').notNullable().defaultTo(false);
      table.boolean('required').notNullable().defaultTo(true);
      table.integer('drip_days').notNullable().defaultTo(0);
      table.integer('position').notNullable();
      table.index(['tenant_id', 'module_id', 'position']);
      table.index(['tenant_id', 'course_id']);
    });
    await db.raw(`alter table lms_lessons add constraint lms_lessons_status check (status in ('draft', 'published'))`);
  },
  async down({ db }) {
    await db.schema.dropTable('lms_lessons');
    await db.schema.dropTable('lms_modules');
    await db.schema.dropTable('lms_courses');
  },
});
