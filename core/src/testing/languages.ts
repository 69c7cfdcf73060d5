/** Catalogues as `defineMessages` keeps them (`messages.catalogues`): English and the other languages, by key. */
export type Catalogues = { en: Record<string, string> } & Record<string, Partial<Record<string, string>>>;

const entities: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&#96;': '`' };

/** What a reader sees of a page or mail: text content, titles and the words of `alt`, `aria-label`, `placeholder` and `title`. */
function visibleText(markup: string): string {
  const attributes = [...markup.matchAll(/\s(?:alt|aria-label|placeholder|title)="([^"]*)"/g)].map((match) => match[1]!);
  const text = markup
    .replace(/<style[\s\S]*?<\/style>/g, ' ')
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<[^>]*>/g, ' ');
  return [text, ...attributes].join('\n').replace(/&(?:amp|lt|gt|quot|#39|#96);/g, (entity) => entities[entity]!);
}

/** The literal text of an ICU message outside its arguments (`{name}`, plural and select branches), in pieces. */
function literals(message: string): string[] {
  const pieces: string[] = [];
  let depth = 0;
  let current = '';
  for (const character of message) {
    if (character === '{') {
      if (depth === 0) pieces.push(current);
      current = '';
      depth += 1;
    } else if (character === '}') {
      depth = Math.max(0, depth - 1);
    } else if (depth === 0) {
      current += character;
    }
  }
  pieces.push(current);
  return pieces.flatMap((piece) => piece.split('\n')).map((piece) => piece.trim().replace(/^[\s:;,.!?()-]+|[\s:;,.!?()-]+$/g, ''));
}

/**
 * The English phrases of a catalogue that a page or mail in `language` still shows: for a test that renders in
 * Arabic and expects nothing left untranslated. Only phrases of two words or more are looked for (a single word may
 * be a name), and none that the `language` catalogue uses itself (a brand, a code).
 *
 * @example
 * ```ts
 * const page = await (await fetch(`${t.url}/c/acme/shop`)).text();
 * expect(leftoverEnglish(page, shopMessages.catalogues, 'ar')).toEqual([]);
 * ```
 */
export function leftoverEnglish(markupOrText: string, catalogues: Catalogues, language: string): string[] {
  const seen = visibleText(markupOrText);
  const translated = catalogues[language] ?? {};
  const found = new Set<string>();
  for (const [key, english] of Object.entries(catalogues.en)) {
    const other = translated[key] ?? '';
    for (const phrase of literals(english)) {
      if (!/\S+\s+\S+/.test(phrase) || !/[A-Za-z]/.test(phrase) || other.includes(phrase)) continue;
      if (seen.includes(phrase)) found.add(phrase);
    }
  }
  return [...found];
}
