import { defineMigration } from '@plinth/sdk';

/**
 * Organisation units: a course belongs to one (a department, a college), and its enrolments carry the course's unit
 * (set at enrolment, moved with the course), so a department's admin sees its courses, learners and reports only:
 * Row Level Security limits both tables to the units a request reaches. Modules, lessons, quizzes, progress,
 * attempts, submissions and certificates stay unscoped: every route reaches them through their course (or
 * enrolment), whose row the policy already hides.
 */
export const addUnits = defineMigration({
  name: '006-add-lms-units',
  async up({ addUnitScope }) {
    await addUnitScope('lms_courses');
    await addUnitScope('lms_enrollments');
  },
  async down({ db }) {
    for (const table of ['lms_enrollments', 'lms_courses']) {
      await db.raw(`drop policy if exists unit_scope on ${table}`);
      await db.raw(`alter table ${table} drop column unit_id`);
    }
  },
});
