/**
 * Every text the LMS's console screens (plugins/lms/web) show through `plinth.t('…')` has Arabic in the plugin's
 * catalogue, with the same ICU placeholders, and the Arabic compiles as an ICU message.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import IntlMessageFormat from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import { translations } from '../src/translations.js';

const webDir = fileURLToPath(new URL('../web', import.meta.url));

/** The `.ts`/`.tsx` files under `web/`, recursively. */
function sources(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return sources(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** The English of every `t('…')` call (single-quoted literals, as Prettier writes them). */
function literals(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of sources(webDir)) {
    for (const match of readFileSync(file, 'utf8').matchAll(/\bt\(\s*'((?:[^'\\]|\\.)*)'/g)) {
      found.set(match[1]!.replace(/\\(.)/g, '$1'), path.relative(webDir, file));
    }
  }
  return found;
}

/** The arguments an ICU message uses: `{name}`, `{count, plural, …}`. */
function argumentsOf(message: string): string[] {
  return [...new Set([...message.matchAll(/\{\s*([A-Za-z_]\w*)\s*[,}]/g)].map((match) => match[1]!))].sort();
}

describe('LMS console screens: Arabic', () => {
  const english = literals();
  const arabic = translations.ar ?? {};

  it('finds the screens’ texts', () => {
    expect(english.size).toBeGreaterThan(50);
  });

  it('has an Arabic entry for every t() literal in web/', () => {
    const missing = [...english].filter(([text]) => !(text in arabic)).map(([text, file]) => `${file}: ${text}`);
    expect(missing).toEqual([]);
  });

  it('keeps the placeholders, and the Arabic compiles as ICU', () => {
    const wrong: string[] = [];
    for (const text of english.keys()) {
      const translated = arabic[text];
      if (translated === undefined) continue;
      if (argumentsOf(translated).join() !== argumentsOf(text).join()) wrong.push(`${text} → ${translated}`);
      try {
        new IntlMessageFormat(translated, 'ar');
      } catch (error) {
        wrong.push(`${translated}: ${(error as Error).message}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
