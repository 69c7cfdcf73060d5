import { definePermissions } from '@plinth/sdk';

/**
 * What LMS lets roles do. Staff permissions (`courses`, `enrollments`, `reports`, `guardians`) cover every course;
 * `learning.access` is the learner's: the catalogue of published courses, `my/courses`, enrolled content, lesson
 * completion and quizzes. Instructors are members listed on a course: with `learning.access` they manage that course
 * (its content, enrolments and report) without any staff permission.
 */
export const lmsPermissions = definePermissions('lms', {
  'courses.view': { description: 'Read every course, including drafts, lesson content and quiz answers', grantTo: ['admin', 'viewer'], units: true },
  'courses.manage': { description: 'Create, edit, reorder and delete any course, its modules, lessons and quizzes', grantTo: ['admin'], units: true },
  'enrollments.view': { description: 'List every enrolment and learner progress', grantTo: ['admin'], units: true },
  'enrollments.manage': { description: 'Enrol and unenrol learners in any course; send reminders now', grantTo: ['admin'], units: true },
  'reports.view': { description: 'Course reports and CSV exports', grantTo: ['admin'], units: true },
  'guardians.manage': { description: 'Link guardians (parents, observers) to learners', grantTo: ['admin'] },
  'learning.access': {
    description: 'Learn: browse published courses, enrol in free ones, read enrolled lessons, complete them, take quizzes; manage courses one instructs',
    grantTo: ['admin', 'member', 'viewer', 'customer'],
    // Staff of a department reach its courses through the learning routes too; learners hold it for the whole tenant.
    units: true,
  },
});
