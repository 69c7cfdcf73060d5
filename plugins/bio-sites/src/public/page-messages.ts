import { defineMessages } from '@plinth/sdk';

/** The few words of a bio page that are the platform's, not the creator's: in the tenant's language. */
export const pageMessages = defineMessages({
  en: {
    emailAddress: 'Email address',
    leaveEmpty: 'Leave empty',
    buy: 'Buy',
    socialProfiles: 'Social profiles',
    subscribed: 'Thanks, you are subscribed.',
    youtubeVideo: 'YouTube video',
    spotifyPlayer: 'Spotify player',
    notFoundTitle: 'Not found',
    notFoundBody: 'This page is not available.',
    linkUnavailable: 'This link is not available.',
    checkEmailTitle: 'Check your email address',
    checkEmailBody: 'Please go back and enter a valid email address.',
  },
  ar: {
    emailAddress: 'البريد الإلكتروني',
    leaveEmpty: 'اتركه فارغًا',
    buy: 'اشترِ',
    socialProfiles: 'حسابات التواصل الاجتماعي',
    subscribed: 'شكرًا، تم اشتراكك.',
    youtubeVideo: 'فيديو يوتيوب',
    spotifyPlayer: 'مشغّل سبوتيفاي',
    notFoundTitle: 'غير موجود',
    notFoundBody: 'هذه الصفحة غير متاحة.',
    linkUnavailable: 'هذا الرابط غير متاح.',
    checkEmailTitle: 'تحقّق من بريدك الإلكتروني',
    checkEmailBody: 'يُرجى الرجوع وإدخال عنوان بريد إلكتروني صالح.',
  },
});

export type PageTranslate = ReturnType<typeof pageMessages.translator>;
