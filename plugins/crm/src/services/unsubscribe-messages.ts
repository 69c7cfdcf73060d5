import { defineMessages } from '@plinth/sdk';

/** The platform's words in campaign mails (the unsubscribe footer) and on the unsubscribe pages, English and Arabic. */
export const unsubscribeMessages = defineMessages({
  en: {
    unsubscribe: 'Unsubscribe',
    footerText: 'Unsubscribe: {url}',
    confirmTitle: 'Unsubscribe',
    confirmQuestion: 'Stop receiving email from {tenant}?',
    confirmButton: 'Unsubscribe',
    doneTitle: 'Unsubscribed',
    doneBody: '{email} will receive no more campaigns from {tenant}.',
    unknownTitle: 'Link not found',
    unknownBody: 'This unsubscribe link is not valid. Use the link in the most recent email.',
  },
  ar: {
    unsubscribe: 'إلغاء الاشتراك',
    footerText: 'إلغاء الاشتراك: {url}',
    confirmTitle: 'إلغاء الاشتراك',
    confirmQuestion: 'هل تريد التوقف عن تلقي رسائل البريد الإلكتروني من {tenant}؟',
    confirmButton: 'إلغاء الاشتراك',
    doneTitle: 'تم إلغاء الاشتراك',
    doneBody: 'لن يتلقى {email} أي حملات أخرى من {tenant}.',
    unknownTitle: 'الرابط غير موجود',
    unknownBody: 'رابط إلغاء الاشتراك هذا غير صالح. استخدم الرابط الموجود في أحدث رسالة.',
  },
});
