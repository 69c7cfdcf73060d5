import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = fileURLToPath(new URL('../web', import.meta.url));

/** Every `.ts`/`.tsx` file under the plugin's web directory (its console screens). */
export function webSources(dir = webDir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}
const sources = webSources;

/** The English literals the screens pass to `t(…)` (single-quoted, as the house style writes them; `\'` unescaped). */
export function webTexts(): string[] {
  const texts = webSources().flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/\bt\(\s*'((?:[^'\\]|\\.)*)'/g)].map((match) => match[1]!.replace(/\\(.)/g, '$1')),
  );
  return [...new Set(texts)].sort();
}
