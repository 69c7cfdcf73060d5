import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { translations } from '../src/translations.js';

const webDir = fileURLToPath(new URL('../web/', import.meta.url));

/** Every `.ts`/`.tsx` file under web/, recursively. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** The literal first arguments of `t('…')` / `t("…")` calls (the console's translation function), unescaped. */
function literals(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(/\bt\(\s*(['"])((?:\\.|(?!\1)[^\\])*)\1/g)) found.push(match[2]!.replace(/\\(.)/g, '$1'));
  return found;
}

describe("Bio Sites' console screens (web/)", () => {
  it("have Arabic for every t('…') text", () => {
    const files = sources(webDir);
    expect(files.length).toBeGreaterThan(0);
    const missing = files.flatMap((file) =>
      literals(readFileSync(file, 'utf8'))
        .filter((english) => !translations.ar?.[english])
        .map((english) => `${path.relative(webDir, file)}: ${english}`),
    );
    expect([...new Set(missing)]).toEqual([]);
  });
});
