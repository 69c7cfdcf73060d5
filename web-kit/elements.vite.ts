import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defaultClientConditions, type Plugin, type UserConfig } from 'vite';
import type { OutputBundle, OutputChunk } from 'rolldown';

/**
 * Stylesheets a screen imports are emitted as hashed files that nothing would load: the console imports the entry
 * `<element>.js` only. Each entry gets a prologue adding a `<link rel="stylesheet">` (once per document) for the CSS
 * of its chunk and of the chunks it imports — a same-origin stylesheet, which the console's content policy allows.
 * Written here because Vite links CSS only for HTML pages and for chunks it imports itself, not for entries a host
 * page loads with `import()`.
 */
function linkImportedCss(): Plugin {
  return {
    name: 'plinth-element-css',
    generateBundle(_options, bundle: OutputBundle) {
      const chunks = new Map(Object.values(bundle).flatMap((file) => (file.type === 'chunk' ? [[file.fileName, file] as const] : [])));
      const cssOf = (chunk: OutputChunk, seen = new Set<string>()): string[] => {
        if (seen.has(chunk.fileName)) return [];
        seen.add(chunk.fileName);
        const own = [...((chunk as OutputChunk & { viteMetadata?: { importedCss: Set<string> } }).viteMetadata?.importedCss ?? [])];
        return [...own, ...chunk.imports.flatMap((name) => (chunks.has(name) ? cssOf(chunks.get(name)!, seen) : []))];
      };
      for (const chunk of chunks.values()) {
        if (!chunk.isEntry) continue;
        const files = [...new Set(cssOf(chunk))];
        if (files.length === 0) continue;
        const hrefs = JSON.stringify(files.map((file) => `./${file}`));
        // Awaited (top-level await): the console's import() resolves once the styles apply, so a screen never
        // shows unstyled. A stylesheet that fails to load leaves the screen plain rather than missing.
        chunk.code =
          `await Promise.all(${hrefs}.map((file) => { const href = new URL(file, import.meta.url).href;` +
          ` if (document.querySelector(\`link[href="\${href}"]\`)) return undefined;` +
          ` const link = Object.assign(document.createElement('link'), { rel: 'stylesheet', href }); document.head.append(link);` +
          ` return new Promise((resolve) => { link.onload = link.onerror = resolve; }); }));\n` +
          chunk.code;
      }
    },
  };
}

/**
 * The Vite build of a first-party plugin's console screens: every `web/<element>.tsx` (a file whose name holds
 * a hyphen) becomes `web-dist/<element>.js`, which defines that custom element; shared code and assets go to
 * `web-dist/assets/` under hashed names (cached for a year by the kernel). Preact is bundled into the plugin's
 * chunks: the console's own copy is not shared (docs/plugins/console-screens.md).
 */
export function elementsBuild(packageUrl: string): UserConfig {
  const packageDir = fileURLToPath(new URL('.', packageUrl));
  const webDir = path.join(packageDir, 'web');
  const entries = Object.fromEntries(
    readdirSync(webDir)
      .filter((name) => /^[a-z][a-z0-9]*-[a-z0-9-]*\.tsx$/.test(name))
      .map((name) => [name.slice(0, -'.tsx'.length), path.join(webDir, name)]),
  );
  return {
    root: webDir,
    base: './',
    plugins: [preact({ devToolsEnabled: false, prefreshEnabled: false }), linkImportedCss()],
    resolve: { conditions: ['@plinth/source', ...defaultClientConditions] },
    build: {
      outDir: path.join(packageDir, 'web-dist'),
      emptyOutDir: true,
      target: 'es2022',
      modulePreload: { polyfill: false },
      assetsInlineLimit: 0,
      reportCompressedSize: false,
      rollupOptions: {
        input: entries,
        // Entries keep their names (the console imports `<element>.js`); the rest carry a content hash.
        preserveEntrySignatures: 'exports-only',
        output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'assets/[name]-[hash].js', assetFileNames: 'assets/[name]-[hash][extname]' },
      },
    },
  };
}
