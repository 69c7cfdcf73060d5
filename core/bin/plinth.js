#!/usr/bin/env node
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/run.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('plinth: @plinth/core is not built yet; run "npm run build" (or "npm install") first');
  process.exit(1);
}
await import(entry.href);
