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
  },
  ar: {
    emailAddress: 'البريد الإلكتروني',
    leaveEmpty: 'اتركه فارغًا',
    buy: 'اشترِ',
    socialProfiles: 'حسابات التواصل الاجتماعي',
    subscribed: 'شكرًا، تم اشتراكك.',
    youtubeVideo: 'فيديو يوتيوب',
    spotifyPlayer: 'مشغّل سبوتيفاي',
  },
});

export type PageTranslate = ReturnType<typeof pageMessages.translator>;
