import type { PluginTranslations } from '@plinth/sdk';

/**
 * The console plugin's own texts in other languages (its title and description, as the host lists them). The
 * console's screens have their own catalogues (`web/src/*-messages.ts`); these are only the definition's words.
 */
export const translations = {
  ar: {
    Console: 'وحدة التحكم',
    'The Plinth web console: sign-up, marketplace, members and roles, and schema-driven screens for every plugin.':
      'وحدة تحكم Plinth على الويب: التسجيل، ومتجر الإضافات، والأعضاء والأدوار، وشاشات مبنية على المخططات لكل إضافة.',
  },
} satisfies PluginTranslations;
