import type { NotifyInput, PluginTranslations } from '@plinth/sdk';
import { IntlMessageFormat } from 'intl-messageformat';

/** A template's data as `notify` takes it. */
export type NotifyData = NonNullable<NotifyInput['data']>;

/** English `text` in `locale`: the plugin's translation (`ar-EG`, then `ar`), else the English. */
export function translate(text: string, translations: PluginTranslations, locale: string): string {
  const language = locale.split('-')[0]!.toLowerCase();
  return translations[locale]?.[text] ?? translations[language]?.[text] ?? text;
}

/**
 * Renders an English ICU message of a template in `locale`, translated through the declaring plugin's translations.
 * A `Date` in a plain placeholder (`{due}`) is written as a date of the locale; `{due, date, long}` formats it as
 * asked. Throws when the data lacks a placeholder.
 */
export function renderMessage(text: string, translations: PluginTranslations, locale: string, data: NotifyData): string {
  const source = translate(text, translations, locale);
  const values = Object.fromEntries(Object.entries(data).map(([name, value]) => [name, value === null ? '' : value]));
  const formatted = new IntlMessageFormat(source, locale).format(values);
  if (!Array.isArray(formatted)) return String(formatted);
  const dates = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  return formatted.map((part) => (part instanceof Date ? dates.format(part) : String(part))).join('');
}
