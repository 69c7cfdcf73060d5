/**
 * The console's first load stays small (issue 20, "Speed"): the JavaScript a browser fetches before the first
 * screen — index.html's module script, every module it imports statically (transitively) and any module
 * index.html preloads — is under 150 KB gzipped. Screens loaded later with `import()` are not counted.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, test } from 'vitest';
import { ensureWebBuilt } from './web-build.js';

const webDist = fileURLToPath(new URL('../web-dist/', import.meta.url));
const budgetBytes = 150_000;

/** `/assets/x.js` (from index.html) or `./x.js` (from a module in assets/) as a file of web-dist. */
function fileOf(reference: string, from: string): string {
  return reference.startsWith('/') ? path.join(webDist, reference) : path.join(path.dirname(from), reference);
}

/**
 * The modules `source` imports statically: `import … from "./x.js"`, `import "./x.js"` and `export … from "./x.js"`
 * in the bundler's minified output; `import("./x.js")` (a split-off screen) does not match, nor does `import.meta`.
 */
function staticImports(source: string): string[] {
  const found = source.matchAll(/(?:^|[;\s}])(?:import|export)\s*(?:[\w$*{}\s,]*?\s*from\s*)?["'](\.{1,2}\/[^"']+\.js)["']/g);
  return [...found].map((match) => match[1]!);
}

/** The modules `source` loads later: `import("./x.js")`, and the `assets/x.js` names of Vite's preload map. */
function dynamicImports(source: string): string[] {
  const imported = [...source.matchAll(/\bimport\(\s*["'](\.{1,2}\/[^"']+\.js)["']\s*\)/g)].map((match) => match[1]!);
  const preloaded = [...source.matchAll(/["'](assets\/[^"']+\.js)["']/g)].map((match) => `/${match[1]!}`);
  return [...imported, ...preloaded];
}

/** `entries` and every module they import statically, transitively. */
function staticClosure(entries: string[]): Set<string> {
  const seen = new Set<string>();
  const pending = [...entries];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const reference of staticImports(readFileSync(file, 'utf8'))) pending.push(fileOf(reference, file));
  }
  return seen;
}

/** Every JavaScript file the first load fetches, walked from index.html. */
function firstLoadFiles(): string[] {
  const html = readFileSync(path.join(webDist, 'index.html'), 'utf8');
  const entries = [
    ...html.matchAll(/<script\b[^>]*\btype="module"[^>]*\bsrc="([^"]+)"/g),
    ...html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"/g),
  ].map((match) => fileOf(match[1]!, webDist));
  return [...staticClosure(entries)];
}

const gzipped = (file: string) => gzipSync(readFileSync(file)).length;
const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;

describe('the console bundle', () => {
  beforeAll(async () => {
    await ensureWebBuilt();
  });

  test('static imports are told apart from split-off screens', () => {
    const sample = 'import{a as b}from"./chunk-A1.js";import"./side-B2.js";export{c}from"./re-C3.js";const d=()=>import("./screen-D4.js");import.meta.url;';
    expect(staticImports(sample)).toEqual(['./chunk-A1.js', './side-B2.js', './re-C3.js']);
  });

  test('the JavaScript of the first load is under 150 KB gzipped', () => {
    const files = firstLoadFiles();
    expect(files.length).toBeGreaterThan(0);
    const sizes = files.map((file) => ({ file: path.relative(webDist, file), raw: readFileSync(file).length, gzipped: gzipped(file) }));
    const total = sizes.reduce((sum, size) => sum + size.gzipped, 0);
    console.log(
      [
        `console first load: ${kb(total)} of JavaScript gzipped (budget ${kb(budgetBytes)}), ${sizes.length} file(s):`,
        ...sizes.sort((a, b) => b.gzipped - a.gzipped).map((size) => `  ${size.file}: ${kb(size.gzipped)} gzipped, ${kb(size.raw)} raw`),
      ].join('\n'),
    );
    expect(total).toBeLessThan(budgetBytes);
  });

  test('the screens loaded later, each with what it adds to the first load (reported)', () => {
    const first = new Set(firstLoadFiles());
    const screens = new Set([...first].flatMap((file) => dynamicImports(readFileSync(file, 'utf8')).map((reference) => fileOf(reference, file))));
    const added = [...screens]
      .filter((file) => !first.has(file))
      .map((file) => {
        const extra = [...staticClosure([file])].filter((other) => !first.has(other));
        return { file: path.relative(webDist, file), gzipped: extra.reduce((sum, other) => sum + gzipped(other), 0) };
      })
      .sort((a, b) => b.gzipped - a.gzipped);
    expect(added.length, 'the console is split into screens loaded on demand').toBeGreaterThan(0);
    console.log(
      [
        `screens loaded on demand: ${added.length}; the heaviest add (gzipped, with their own imports):`,
        ...added.slice(0, 5).map((screen) => `  ${screen.file}: ${kb(screen.gzipped)}`),
      ].join('\n'),
    );
  });
});
