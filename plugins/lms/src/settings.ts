import { Type } from '@plinth/sdk';

/** Each tenant's LMS settings. */
export const LmsSettings = Type.Object(
  {
    reminderAfterDays: Type.Integer({
      minimum: 1,
      maximum: 365,
      default: 7,
      title: 'Reminder after (days)',
      description: 'Remind learners inactive this many days (0 progress since)',
    }),
    quizGraceSeconds: Type.Integer({
      minimum: 0,
      maximum: 600,
      default: 30,
      title: 'Quiz grace period (seconds)',
      description: 'Seconds after a quiz time limit in which a submission is still accepted (network latency)',
    }),
    submissionMaxBytes: Type.Integer({
      minimum: 1,
      maximum: 1024 ** 3,
      default: 20 * 1024 * 1024,
      title: 'Largest submission (bytes)',
      description: "Largest file a learner may hand in as a lesson's submission, in bytes (20 MiB)",
    }),
  },
  { additionalProperties: false },
);
