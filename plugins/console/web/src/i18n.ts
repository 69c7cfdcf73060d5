/**
 * The console's languages: English and Arabic, messages in ICU MessageFormat (intl-messageformat).
 *
 * Each console area keeps its own catalogue beside its code (`defineMessages({ en, ar })`), so the Arabic text
 * of every English message is required by the type checker. The language is one module-level value: the app
 * re-renders from the root when it changes (see `onLanguageChange`), so calling `t(...)` during render is enough.
 */
import { IntlMessageFormat } from 'intl-messageformat';
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export type Language = 'en' | 'ar';

/** The console's languages, in the order pickers list them, each named in its own language. */
export const languages: readonly { code: Language; name: string; direction: 'ltr' | 'rtl' }[] = [
  { code: 'en', name: 'English', direction: 'ltr' },
  { code: 'ar', name: 'العربية', direction: 'rtl' },
];

const storageKey = 'plinth.language';
const listeners = new Set<(language: Language) => void>();
let language: Language = initialLanguage();
let regionalLocale: string | undefined;

/** The supported language of a BCP 47 tag (`ar-EG` → `ar`), or undefined when the console does not speak it. */
export function languageOf(tag: string | null | undefined): Language | undefined {
  const base = tag?.trim().toLowerCase().split(/[-_]/)[0];
  return languages.find((candidate) => candidate.code === base)?.code;
}

/**
 * The first supported language among preferences, strongest first (the user's choice, the tenant's locale,
 * the browser's languages); English when none is supported.
 */
export function pickLanguage(...preferences: (string | null | undefined)[]): Language {
  for (const preference of preferences) {
    const found = languageOf(preference);
    if (found) return found;
  }
  return 'en';
}

/** The browser's language preferences, strongest first. */
export function browserLanguages(): string[] {
  if (typeof navigator === 'undefined') return [];
  return navigator.languages?.length ? [...navigator.languages] : navigator.language ? [navigator.language] : [];
}

/** A language chosen on this browser while signed out (the sign-in page's picker). */
export function storedLanguage(): Language | undefined {
  try {
    return languageOf(globalThis.localStorage?.getItem(storageKey));
  } catch {
    return undefined;
  }
}

/** Remembers a signed-out choice on this browser (a signed-in choice is saved to the user instead). */
export function storeLanguage(choice: Language | undefined): void {
  try {
    if (choice) globalThis.localStorage?.setItem(storageKey, choice);
    else globalThis.localStorage?.removeItem(storageKey);
  } catch {
    // Storage refused (private mode): the choice lasts for this page only.
  }
}

function initialLanguage(): Language {
  return pickLanguage(storedLanguage(), ...browserLanguages());
}

/** The console's language now. */
export function currentLanguage(): Language {
  return language;
}

/** The writing direction of the console's language. */
export function direction(): 'ltr' | 'rtl' {
  return languages.find((candidate) => candidate.code === language)?.direction ?? 'ltr';
}

/** Sets the console's language: `<html lang dir>`, then every listener (the app re-renders from its root). */
export function setLanguage(next: Language): void {
  const changed = next !== language;
  language = next;
  applyToDocument();
  if (changed) for (const listener of [...listeners]) listener(next);
}

/** Calls `listener` after each change of language (or of formatting locale); returns the unsubscribe function. */
export function onLanguageChange(listener: (language: Language) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Re-renders the calling component after each change of language or formatting locale; returns the language.
 * The app's root calls it, so the whole console re-renders in the new language.
 */
export function useLanguage(): Language {
  const [, setVersion] = useState(0);
  useEffect(() => onLanguageChange(() => setVersion((version) => version + 1)), []);
  return language;
}

/**
 * The tenant's locale (`ar-EG`, `en-GB`): numbers, dates and money follow its regional conventions when it
 * is in the console's language. Undefined outside a tenant. Listeners hear of a change of formatting locale too.
 */
export function setRegionalLocale(tag: string | null | undefined): void {
  const before = formattingLocale();
  regionalLocale = tag ?? undefined;
  if (formattingLocale() !== before) for (const listener of [...listeners]) listener(language);
}

/** The locale formatters use: the tenant's locale when it shares the console's language, else the language. */
export function formattingLocale(): string {
  if (regionalLocale && languageOf(regionalLocale) === language) {
    try {
      return Intl.getCanonicalLocales(regionalLocale)[0] ?? language;
    } catch {
      return language;
    }
  }
  return language;
}

function applyToDocument(): void {
  if (typeof document === 'undefined') return;
  document.documentElement.lang = language;
  document.documentElement.dir = direction();
}

applyToDocument();

export interface Translate<T> {
  /** The message `key` in the console's language, its ICU arguments filled from `values`. */
  (key: keyof T & string, values?: Record<string, unknown>): string;
  /**
   * The message with markup: tags in it (`Read <link>the guide</link>`) call the function of that name in
   * `values` with their contents, so a link or emphasis stays inside one translatable sentence.
   */
  rich(key: keyof T & string, values: Record<string, unknown>): ComponentChildren;
}

/**
 * A catalogue of messages in every console language; returns `t(key, values)`, which formats the message in
 * the current language. Messages are ICU: `{name}`, `{n, plural, one {# item} other {# items}}`, `{n, number}`,
 * `{kind, select, …}`. Each message is compiled once per language, on first use.
 */
export function defineMessages<T extends Record<string, string>>(catalogue: { en: T; ar: { [K in keyof T]: string } }): Translate<T> {
  const compiled = new Map<string, IntlMessageFormat>();
  const format = (key: string, values: Record<string, unknown> | undefined): unknown => {
    const source = (catalogue[language] as Record<string, string>)[key] ?? catalogue.en[key];
    if (source === undefined) return key;
    const locale = formattingLocale();
    const cacheKey = `${locale}\u0000${key}`;
    try {
      let message = compiled.get(cacheKey);
      if (!message) {
        message = new IntlMessageFormat(source, locale);
        compiled.set(cacheKey, message);
      }
      return message.format(values as Record<string, string>);
    } catch (error) {
      // A malformed message or a missing argument is a programming error: show the pattern, not a broken page.
      console.error(`i18n: cannot format "${key}" in ${language}`, error);
      return source;
    }
  };
  const translate = (key: string, values?: Record<string, unknown>): string => {
    const result = format(key, values);
    return Array.isArray(result) ? result.join('') : String(result);
  };
  translate.rich = (key: string, values: Record<string, unknown>) => format(key, values) as ComponentChildren;
  return translate;
}
