import { defineMigration } from '@plinth/sdk';

/**
 * The learner's name and email on the enrolment, as they were when last enrolled: what a course's learners list
 * searches (people live in core's `users`, which a tenant's queries do not join). Lists show the member's current
 * name and email; these columns only find rows. Existing enrolments get them once, here, from core's tables.
 */
export const addEnrollmentLearner = defineMigration({
  name: '005-add-lms-enrollment-learner',
  async up({ db }) {
    await db.raw('alter table lms_enrollments add column learner_name text, add column learner_email text');
    await db.raw('update lms_enrollments e set learner_name = u.name, learner_email = u.email from users u where u.id = e.user_id');
  },
  async down({ db }) {
    await db.raw('alter table lms_enrollments drop column learner_name, drop column learner_email');
  },
});
