import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defaultClientConditions, defineConfig } from 'vite';

/** Builds the console's single-page app from `web/` into `web-dist/`, which the kernel serves at `/`. */
export default defineConfig({
  root: fileURLToPath(new URL('./web', import.meta.url)),
  base: '/',
  plugins: [preact({ devToolsEnabled: false, prefreshEnabled: false })],
  // `@plinth/sdk/text` (the words derived from plugin definitions) from its source: no SDK build needed first.
  resolve: { conditions: ['@plinth/source', ...defaultClientConditions] },
  build: {
    outDir: fileURLToPath(new URL('./web-dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // No inline scripts or module-preload polyfill: the page's policy allows scripts from this origin only.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
