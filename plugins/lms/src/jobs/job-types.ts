declare module '@plinth/sdk' {
  interface PlinthJobs {
    /** Mails learners with no activity in an active enrolment for `reminderAfterDays`. */
    'lms.reminders.send': Record<string, never>;
    /** Mails learners about lessons their drip schedule has unlocked since the last run. */
    'lms.drip.notify': Record<string, never>;
  }
}
export {};
