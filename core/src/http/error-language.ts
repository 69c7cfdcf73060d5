import { defineMessages, type FieldErrors } from '@plinth/sdk';
import { errorMessagesAr, errorMessagesEn, placeholderPatterns, type ErrorMessageKey } from './error-messages.js';
import type { PlinthContext } from './context.js';

/** The languages the host speaks (the console, API error messages, core's pages and mails); the first is the default. */
export const hostLanguages = ['en', 'ar'] as const;
export type ErrorLanguage = (typeof hostLanguages)[number];

const messages = defineMessages<ErrorMessageKey>({ en: errorMessagesEn, ar: errorMessagesAr });
const translators = { ar: messages.translator('ar') };

/**
 * The language of the request's error messages, from `Accept-Language` (negotiator, through Koa): `ar-EG` and `ar`
 * get Arabic; a language without a catalogue (`fr`), `*` or no header get English.
 */
export function errorLanguage(ctx: Pick<PlinthContext, 'acceptsLanguages' | 'get'>): ErrorLanguage {
  if (!ctx.get('accept-language')) return 'en';
  const chosen = ctx.acceptsLanguages([...hostLanguages]);
  return chosen === 'ar' ? 'ar' : 'en';
}

interface Template {
  key: ErrorMessageKey;
  pattern: RegExp;
  names: string[];
}

const exact = new Map<string, ErrorMessageKey>();
const templates: Template[] = [];
for (const [key, english] of Object.entries(errorMessagesEn) as [ErrorMessageKey, string][]) {
  const names = [...english.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
  if (names.length === 0) {
    exact.set(english, key);
    continue;
  }
  const source = english
    .split(/\{\w+\}/)
    .map((literal) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .reduce((regex, literal, index) => `${regex}(${placeholderPatterns[names[index - 1]!] ?? '.+?'})${literal}`);
  templates.push({ key, pattern: new RegExp(`^${source}$`, 's'), names });
}
// The most literal text first: `must NOT have more than {limit} items` before a looser neighbour.
templates.sort((a, b) => b.pattern.source.length - a.pattern.source.length);

/**
 * A kernel message in `language`, found by its English text (`No route for GET /x`, `must be string`), or
 * undefined when the catalogue has no such message (a plugin's own words stay as they are).
 */
export function translateMessage(message: string, language: ErrorLanguage): string | undefined {
  if (language === 'en') return undefined;
  const translate = translators[language];
  const key = exact.get(message);
  if (key) return translate(key);
  for (const template of templates) {
    const match = template.pattern.exec(message);
    if (!match) continue;
    const values: Record<string, string | number> = {};
    template.names.forEach((name, index) => {
      const value = match[index + 1]!;
      values[name] = /^-?\d+(?:\.\d+)?$/.test(value) ? Number(value) : value;
    });
    return translate(template.key, values);
  }
  return undefined;
}

/** The envelope's message and field errors in `language`, each translated where the catalogue has it. */
export function translateError(
  message: string,
  errors: FieldErrors | undefined,
  language: ErrorLanguage,
): { message: string; errors: FieldErrors | undefined } {
  if (language === 'en') return { message, errors };
  let translated: FieldErrors | undefined;
  if (errors) {
    translated = Object.create(null) as FieldErrors;
    for (const [field, list] of Object.entries(errors)) translated[field] = list.map((item) => translateMessage(item, language) ?? item);
  }
  return { message: translateMessage(message, language) ?? message, errors: translated };
}
