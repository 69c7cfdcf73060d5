import { fileURLToPath } from 'node:url';
import { definePlugin } from '@plinth/sdk';
import { translations } from './translations.js';

/**
 * The web console: a single-page app (built from `web/` into `web-dist/` by Vite) the kernel serves at the
 * site root. Host-level: always on, not in the marketplace, no routes or tables of its own.
 */
export default definePlugin({
  name: 'console',
  version: '0.1.0',
  title: 'Console',
  description: 'The Plinth web console: sign-up, marketplace, members and roles, and schema-driven screens for every plugin.',
  category: 'host',
  scope: 'host',
  requires: { core: '^0.1.0' },
  translations,
  web: { directory: fileURLToPath(new URL('../web-dist', import.meta.url)), root: true },
});
