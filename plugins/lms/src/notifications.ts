import type { PluginNotificationDeclarations } from '@plinth/sdk';

/**
 * What the LMS tells learners and their guardians, each in their inbox and by mail unless their preferences say
 * otherwise. Every event has two templates: one for the learner ("you"), one for a guardian (naming the learner).
 */
export const lmsNotifications: PluginNotificationDeclarations = {
  categories: {
    'lms.enrolments': {
      label: 'Course enrolments',
      description: 'When you, or a learner you follow, are enrolled in a course',
      audience: 'both',
    },
    'lms.quiz-results': {
      label: 'Quiz results',
      description: 'The score of a quiz you, or a learner you follow, handed in',
      audience: 'both',
    },
    'lms.certificates': {
      label: 'Certificates',
      description: 'When you, or a learner you follow, complete a course and earn its certificate',
      audience: 'both',
    },
    'lms.new-lessons': {
      label: 'New lessons',
      description: 'Lessons a course’s schedule has just opened for you, or for a learner you follow',
      audience: 'both',
    },
  },
  templates: {
    'lms.enrolled': { category: 'lms.enrolments', title: 'You are enrolled in {course}', body: 'Start learning whenever you are ready.' },
    'lms.learner-enrolled': {
      category: 'lms.enrolments',
      title: '{learner} is enrolled in {course}',
      body: 'You can follow {learner}’s progress in this course.',
    },
    'lms.quiz-graded': { category: 'lms.quiz-results', title: 'Quiz graded: {quiz}', body: 'You scored {score}% in {quiz} ({course}).' },
    'lms.learner-quiz-graded': {
      category: 'lms.quiz-results',
      title: '{learner}’s quiz graded: {quiz}',
      body: '{learner} scored {score}% in {quiz} ({course}).',
    },
    'lms.certificate-issued': {
      category: 'lms.certificates',
      title: 'Your certificate for {course}',
      body: 'Congratulations on completing {course}: your certificate is ready.',
    },
    'lms.learner-certificate-issued': {
      category: 'lms.certificates',
      title: '{learner} completed {course}',
      body: '{learner} completed {course} and earned its certificate.',
    },
    'lms.lessons-unlocked': { category: 'lms.new-lessons', title: 'New lessons in {course}', body: 'Now open: {lessons}' },
    'lms.learner-lessons-unlocked': {
      category: 'lms.new-lessons',
      title: 'New lessons for {learner} in {course}',
      body: 'Now open for {learner}: {lessons}',
    },
  },
};
