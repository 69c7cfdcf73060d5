import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Plugin } from '@plinth/sdk';
import type { PlinthContext, PlinthMiddleware } from './context.js';

/** The console's own policy: scripts and styles from this origin only, API calls to this origin; `blob:` images are previews of files being uploaded. */
const pagePolicy =
  "default-src 'self'; img-src 'self' data: blob: https:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export interface StaticSite {
  directory: string;
  /** URL prefix the files are served under (`/` or `/web/<plugin>/`). */
  prefix: string;
  /** Answer paths without a file with `index.html` (a single-page app). */
  spa: boolean;
}

/** Where each plugin's `web` files are served: the root plugin's at `/`, the others' at `/web/<plugin>/`. */
export function webSites(plugins: readonly Plugin[]): StaticSite[] {
  return plugins.flatMap((plugin) =>
    plugin.web
      ? [{ directory: path.resolve(plugin.web.directory), prefix: plugin.web.root ? '/' : `/web/${plugin.name}/`, spa: plugin.web.root === true }]
      : [],
  );
}

/**
 * Serves a plugin's built front-end files for GET and HEAD requests nothing
 * else answered: hashed files under `assets/` cached for a year, the rest
 * revalidated; never a path outside the directory, never a dot-file; API,
 * health and metrics paths are left alone.
 */
export function staticFiles(sites: readonly StaticSite[]): PlinthMiddleware {
  const ordered = [...sites].sort((a, b) => b.prefix.length - a.prefix.length);
  return async (ctx, next) => {
    await next();
    if (ctx.body !== undefined || ctx.status !== 404 || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return;
    if (/^\/(api|health|metrics)(\/|$)/.test(ctx.path)) return;
    const site = ordered.find((candidate) => ctx.path.startsWith(candidate.prefix));
    if (!site) return;
    const relative = safeRelative(ctx.path.slice(site.prefix.length));
    const file = relative && (await fileAt(site.directory, relative));
    if (file) return send(ctx, file, relative.startsWith('assets/'));
    // Only a browser navigating (Accept: text/html) to an app path gets the page, dots in it or not (a report named
    // `shop.sales-by-day`); a missing script, style or image (fetched without text/html) stays 404.
    const wantsPage = site.spa && !relative?.startsWith('assets/') && ctx.get('accept').includes('text/html');
    const index = wantsPage && (await fileAt(site.directory, 'index.html'));
    if (index) return send(ctx, index, false);
  };
}

/** The path as a relative file name, or undefined when it escapes the directory or names a dot-file. */
function safeRelative(urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const normalized = path.posix.normalize(`/${decoded}`).slice(1);
  if (normalized === '' || normalized.split('/').some((segment) => segment.startsWith('.'))) return normalized === '' ? 'index.html' : undefined;
  return normalized;
}

async function fileAt(directory: string, relative: string): Promise<{ path: string; size: number; mtime: Date } | undefined> {
  const full = path.join(directory, relative);
  if (!full.startsWith(directory + path.sep)) return undefined;
  const info = await stat(full).catch(() => undefined);
  return info?.isFile() ? { path: full, size: info.size, mtime: info.mtime } : undefined;
}

function send(ctx: PlinthContext, file: { path: string; size: number; mtime: Date }, immutable: boolean): void {
  ctx.status = 200;
  ctx.type = path.extname(file.path) || 'application/octet-stream';
  ctx.length = file.size;
  ctx.lastModified = file.mtime;
  ctx.set('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  if (file.path.endsWith('.html')) {
    ctx.set('Content-Security-Policy', pagePolicy);
    ctx.set('X-Frame-Options', 'DENY');
    ctx.remove('Cross-Origin-Resource-Policy');
  }
  if (ctx.fresh) {
    ctx.status = 304;
    return;
  }
  if (ctx.method === 'GET') ctx.body = createReadStream(file.path);
}
