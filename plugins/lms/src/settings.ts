import { Type } from '@plinth/sdk';

/** Each tenant's LMS settings. */
export const LmsSettings = Type.Object(
  {
    reminderAfterDays: Type.Integer({ minimum: 1, maximum: 365, default: 7, description: 'Remind learners inactive this many days (0 progress since)' }),
    quizGraceSeconds: Type.Integer({
      minimum: 0,
      maximum: 600,
      default: 30,
      description: 'Seconds after a quiz time limit in which a submission is still accepted (network latency)',
    }),
  },
  { additionalProperties: false },
);
