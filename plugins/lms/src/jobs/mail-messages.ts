import { defineMessages } from '@plinth/sdk';

/**
 * The words of the LMS's own mails to learners, English and Arabic (ICU MessageFormat): inactivity reminders only;
 * everything else reaches them through `notify` (see ../notifications.ts).
 */
export const lmsMailMessages = defineMessages({
  en: {
    reminderSubject: 'Pick up where you left off: {course}',
    reminderBody: 'Hello {name},\n\nYou are {percent}% through "{course}" at {tenant}. Your next lesson is waiting.\n',
  },
  ar: {
    reminderSubject: 'تابع من حيث توقفت: {course}',
    reminderBody: 'مرحبًا {name}،\n\nأنجزت {percent}% من "{course}" لدى {tenant}. درسك التالي في انتظارك.\n',
  },
});
