import type { PluginTranslations } from '@plinth/sdk';

/**
 * Hello in other languages, keyed by the English the console shows for it (title, description, permissions,
 * settings, collection names, route summaries, humanized property names). A third-party plugin ships its own.
 */
export const translations = {
  ar: {
    Hello: 'مرحبًا',
    'Greets the tenant and keeps a wall of greetings from its members.': 'يرحّب بمساحة العمل ويحتفظ بجدار من التحيات ينشرها أعضاؤها.',
    'Read the greeting and the wall': 'قراءة التحية والجدار',
    'Post and remove greetings': 'نشر التحيات وإزالتها',
    Salutation: 'عبارة التحية',
    'How the greeting starts': 'الكلمة التي تبدأ بها التحية',
    Greeting: 'تحية',
    Greetings: 'التحيات',
    "The tenant's greeting, in its own salutation": 'تحية مساحة العمل، بعبارة التحية الخاصة بها',
    'The wall, newest first': 'الجدار، الأحدث أولًا',
    'Post a greeting on the wall': 'نشر تحية على الجدار',
    'Remove a greeting': 'إزالة تحية',
    Text: 'النص',
    Id: 'المعرّف',
    Message: 'الرسالة',
    'Author id': 'الكاتب',
    'No content': 'بلا محتوى',
  },
} satisfies PluginTranslations;
