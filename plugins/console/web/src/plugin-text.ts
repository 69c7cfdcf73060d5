/**
 * Plugins' text in the console's language. Plugins speak English in their definitions (schema titles, route
 * summaries, menu labels, path segments…) and ship catalogues keyed by that English text; the kernel serves them
 * all at `GET /api/v1/translations/<language>`. Every plugin-derived string the console shows goes through
 * {@link pluginText}, which falls back to the English while the catalogue loads (listeners re-render then) or
 * when it lacks the text.
 */
import { humanize, singular } from '@plinth/sdk/text';
import { useEffect, useState } from 'preact/hooks';
import { currentLanguage, type Language } from './i18n';

export { humanize, singular };

type Catalogues = Record<string, Record<string, string>>;

const loaded = new Map<Language, Catalogues>();
const loading = new Map<Language, Promise<void>>();
const listeners = new Set<() => void>();

/** Fetches the plugins' catalogues for `language` once (English needs none); listeners hear when they arrive. */
export function loadPluginTranslations(language: Language = currentLanguage()): Promise<void> {
  if (language === 'en' || loaded.has(language)) return Promise.resolve();
  let pending = loading.get(language);
  if (!pending) {
    pending = fetch(`/api/v1/translations/${language}`, { headers: { accept: 'application/json' } })
      .then(async (response) => {
        if (!response.ok) throw new Error(`translations: ${response.status}`);
        const body = (await response.json()) as { data?: Catalogues };
        loaded.set(language, body.data ?? {});
        for (const listener of [...listeners]) listener();
      })
      .catch(() => {
        // Unreachable or refused: English meanwhile; the next render asks again.
        loading.delete(language);
      });
    loading.set(language, pending);
  }
  return pending;
}

/** Calls `listener` when a language's catalogues arrive; returns the unsubscribe function. */
export function onPluginTranslations(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Re-renders the calling component when plugins' catalogues arrive, and asks for those of the console's language.
 * The app's root calls it (beside `useLanguage`), so every screen shows the translations once they are here.
 */
export function usePluginTranslations(): void {
  const [, setVersion] = useState(0);
  useEffect(() => onPluginTranslations(() => setVersion((version) => version + 1)), []);
  void loadPluginTranslations(currentLanguage());
}

/** Sets the catalogues of a language directly (tests; a page that embeds them). */
export function providePluginTranslations(language: Language, catalogues: Catalogues): void {
  loaded.set(language, catalogues);
  loading.delete(language);
  for (const listener of [...listeners]) listener();
}

/**
 * `english` (as the plugin's definition gives it, or as the console derives it: `humanize`d names, `singular`s)
 * in the console's language, from `plugin`'s catalogue; the English when there is none. `plugin` is the plugin's
 * name (the first segment of its API paths); undefined (core's own screens) keeps the English.
 */
export function pluginText(plugin: string | undefined, english: string): string {
  const language = currentLanguage();
  if (language === 'en' || !plugin || !english) return english;
  const catalogues = loaded.get(language);
  if (!catalogues) {
    void loadPluginTranslations(language);
    return english;
  }
  return catalogues[plugin]?.[english] ?? english;
}

/** The plugin an API path belongs to: `/shop/products/1` → `shop`. */
export function pluginOf(apiPath: string): string | undefined {
  return apiPath.split('/').find(Boolean);
}

/** A humanized name (`compare_at_price`, a path segment) in the console's language. */
export function pluginWords(plugin: string | undefined, name: string): string {
  return pluginText(plugin, humanize(name));
}

/** The singular of an English collection label (`Products` → `Product`) in the console's language. */
export function pluginSingular(plugin: string | undefined, englishLabel: string): string {
  return pluginText(plugin, singular(englishLabel));
}

/**
 * A noun inside an English sentence ("New product"): lower-cased in English, as it is in other languages
 * (Arabic has no case; a translation keeps its own).
 */
export function inSentence(noun: string): string {
  return currentLanguage() === 'en' ? noun.toLowerCase() : noun;
}

/** A plugin's title in the console's language. */
export function pluginTitle(plugin: { name: string; title: string }): string {
  return pluginText(plugin.name, plugin.title);
}

/** A plugin's description in the console's language. */
export function pluginDescription(plugin: { name: string; description: string }): string {
  return pluginText(plugin.name, plugin.description);
}
