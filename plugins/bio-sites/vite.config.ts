import { defineConfig } from 'vite';
import { elementsBuild } from '../../web-kit/elements.vite.ts';

/** Builds the plugin's console screens from `web/` into `web-dist/` (see web-kit/elements.vite.ts). */
export default defineConfig(elementsBuild(import.meta.url));
