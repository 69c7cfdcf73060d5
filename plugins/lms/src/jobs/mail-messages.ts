import { defineMessages } from '@plinth/sdk';

/** The words of the LMS's mails to learners (reminders, drip notices), English and Arabic (ICU MessageFormat). */
export const lmsMailMessages = defineMessages({
  en: {
    reminderSubject: 'Pick up where you left off: {course}',
    reminderBody: 'Hello {name},\n\nYou are {percent}% through "{course}" at {tenant}. Your next lesson is waiting.\n',
    dripSubject: 'New lessons unlocked in {course}',
    dripBody: 'Hello {name},\n\nThese lessons of "{course}" at {tenant} are now open:\n{lessons}\n',
    enrolledSubject: 'You are enrolled in {course}',
    enrolledBody: 'Hello {name},\n\n{tenant} enrolled you in "{course}". Start learning here (the link signs you in once):\n{link}\n',
  },
  ar: {
    reminderSubject: 'تابع من حيث توقفت: {course}',
    reminderBody: 'مرحبًا {name}،\n\nأنجزت {percent}% من "{course}" لدى {tenant}. درسك التالي في انتظارك.\n',
    dripSubject: 'دروس جديدة متاحة في {course}',
    dripBody: 'مرحبًا {name}،\n\nهذه الدروس من "{course}" لدى {tenant} متاحة الآن:\n{lessons}\n',
    enrolledSubject: 'تم تسجيلك في {course}',
    enrolledBody: 'مرحبًا {name}،\n\nسجّلك {tenant} في "{course}". ابدأ التعلّم من هنا (يسجّل الرابط دخولك مرة واحدة):\n{link}\n',
  },
});
