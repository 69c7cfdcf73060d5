import { fileURLToPath } from 'node:url';
import { definePlugin } from '@plinth/sdk';
import './jobs/job-types.js';
import { deps } from './deps.js';
import { learnerNoticeHandlers } from './handlers/learner-notices.handler.js';
import { orderAccessTap } from './handlers/order-access.tap.js';
import { orderPaidHandler } from './handlers/order-paid.handler.js';
import { notifyDripJob } from './jobs/notify-drip.job.js';
import { sendRemindersJob } from './jobs/send-reminders.job.js';
import { createCourses } from './migrations/001-create-lms-courses.js';
import { createEnrollments } from './migrations/002-create-lms-enrollments.js';
import { createQuizzes } from './migrations/003-create-lms-quizzes.js';
import { addLessonFiles } from './migrations/004-add-lms-lesson-files.js';
import { addEnrollmentLearner } from './migrations/005-add-lms-enrollment-learner.js';
import { addUnits } from './migrations/006-add-lms-units.js';
import { shardReadyKeys } from './migrations/007-shard-ready-keys.js';
import { courseOutline } from './migrations/008-course-outline.js';
import { cataloguePages } from './pages/catalogue.pages.js';
import { certificatePages } from './pages/certificate.pages.js';
import { learnerPages } from './pages/learner.pages.js';
import { lmsNotifications } from './notifications.js';
import { lmsPermissions } from './permissions.js';
import { courseProgressReport } from './reports/course-progress.report.js';
import { attemptRoutes } from './routes/attempts.routes.js';
import { catalogueRoutes } from './routes/catalogue.routes.js';
import { certificateRoutes } from './routes/certificates.routes.js';
import { courseRoutes } from './routes/courses.routes.js';
import { enrollmentRoutes } from './routes/enrollments.routes.js';
import { guardianRoutes } from './routes/guardians.routes.js';
import { learnerRoutes } from './routes/learners.routes.js';
import { learningRoutes } from './routes/learning.routes.js';
import { lessonFileRoutes } from './routes/lesson-files.routes.js';
import { lessonRoutes } from './routes/lessons.routes.js';
import { moduleRoutes } from './routes/modules.routes.js';
import { operationRoutes } from './routes/operations.routes.js';
import { quizRoutes } from './routes/quizzes.routes.js';
import { reportRoutes } from './routes/reports.routes.js';
import { submissionRoutes } from './routes/submissions.routes.js';
import { lmsLimits } from './services/course-limit.js';
import { LmsSettings } from './settings.js';
import { translations } from './translations.js';

/** LMS: courses, modules and lessons, enrolments (free, manual, bought in the shop), progress, quizzes, certificates. */
export default definePlugin({
  name: 'lms',
  version: '0.1.0',
  title: 'Courses (LMS)',
  description: 'Courses with modules and lessons, enrolments, progress, timed quizzes, certificates, reports and reminders.',
  category: 'education',
  icon: 'graduation',
  author: 'Plinth',
  requires: { core: '^0.1.0', optionalPlugins: { shop: '^0.1.0' } },
  deps,
  uses: { 'shop.offers': { access: 'read', what: 'Reads the prices and buy pages of courses the shop sells (when the shop is enabled)' } },
  permissions: lmsPermissions,
  settings: LmsSettings,
  limits: lmsLimits,
  migrations: [createCourses, createEnrollments, createQuizzes, addLessonFiles, addEnrollmentLearner, addUnits, shardReadyKeys, courseOutline],
  translations,
  notifications: lmsNotifications,
  web: {
    directory: fileURLToPath(new URL('../web-dist', import.meta.url)),
    screens: [
      { element: 'lms-course-builder', label: 'Curriculum', on: '/courses/:id', primary: true, icon: 'book', permission: lmsPermissions['courses.manage'] },
      { element: 'lms-course-learners', label: 'Learners', on: '/courses/:id', icon: 'users', permission: lmsPermissions['enrollments.view'] },
      { element: 'lms-quiz-builder', label: 'Quiz', icon: 'book', permission: lmsPermissions['courses.manage'] },
    ],
  },
  navigation: [
    { label: 'My courses', icon: 'graduation', path: '/my/courses', permission: lmsPermissions['learning.access'] },
    { label: 'Courses', icon: 'book', path: '/courses', permission: lmsPermissions['courses.view'] },
    { label: 'Enrolments', icon: 'receipt', path: '/enrollments', permission: lmsPermissions['enrollments.view'] },
  ],
  routes: (builders) => [
    ...courseRoutes(builders),
    ...moduleRoutes(builders),
    ...lessonRoutes(builders),
    ...lessonFileRoutes(builders),
    ...learningRoutes(builders),
    ...enrollmentRoutes(builders),
    ...learnerRoutes(builders),
    ...quizRoutes(builders),
    ...attemptRoutes(builders),
    ...submissionRoutes(builders),
    ...reportRoutes(builders),
    ...certificateRoutes(builders),
    ...guardianRoutes(builders),
    ...operationRoutes(builders),
    ...catalogueRoutes(builders),
    ...cataloguePages(builders),
    ...learnerPages(builders),
    ...certificatePages(builders),
  ],
  taps: (builders) => [orderAccessTap(builders)],
  jobs: (builders) => [sendRemindersJob(builders), notifyDripJob(builders)],
  reports: (builders) => [courseProgressReport(builders)],
  events: (builders) => [
    orderPaidHandler(builders),
    ...learnerNoticeHandlers(builders),
    builders.on(
      'core.plugin.enabled',
      async ({ event, deps }) => {
        if (event.payload.plugin !== 'lms') return;
        await deps.jobs.every('lms.reminders.send', '0 9 * * *', {});
        await deps.jobs.every('lms.drip.notify', '1 hour', {});
      },
      { id: 'schedule-notifications' },
    ),
  ],
});
