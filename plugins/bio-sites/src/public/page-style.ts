import { createHash } from 'node:crypto';
import type { ResolvedTheme } from '../model/theme.js';

const baseCss =
  '*{box-sizing:border-box}' +
  'body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 var(--font);-webkit-text-size-adjust:100%}' +
  'main{max-width:36rem;margin:0 auto;padding:2.5rem 1rem 3rem;text-align:center}' +
  '.avatar{width:96px;height:96px;border-radius:50%;object-fit:cover}' +
  'h1{font-size:1.5rem;margin:.75rem 0 .25rem}h2{font-size:1.125rem;margin:1rem 0 0}' +
  '.bio{margin:0 0 1.5rem;white-space:pre-line}' +
  '.blocks{list-style:none;margin:0;padding:0;display:grid;gap:.75rem}' +
  '.link{display:flex;gap:.5rem;justify-content:center;align-items:center;min-height:44px;padding:.875rem 1rem;border-radius:.75rem;' +
  'background:var(--ac);color:var(--on);text-decoration:none;font-weight:600;overflow-wrap:anywhere}' +
  '.link:hover{filter:brightness(1.08)}' +
  'a:focus-visible,button:focus-visible,input:focus-visible{outline:3px solid var(--fg);outline-offset:2px}' +
  '.text{margin:0;white-space:pre-line;overflow-wrap:anywhere}' +
  'figure{margin:0}figure img{max-width:100%;height:auto;border-radius:.75rem}' +
  '.social{list-style:none;padding:0;margin:0;display:flex;flex-wrap:wrap;justify-content:center;gap:.5rem}' +
  '.social a{display:inline-block;min-height:44px;padding:.625rem .875rem;color:var(--fg);border:1px solid currentColor;border-radius:999px;text-decoration:none}' +
  '.embed iframe{display:block;width:100%;border:0;border-radius:.75rem}' +
  '.placeholder{margin:0;padding:2rem 1rem;border:1px dashed currentColor;border-radius:.75rem;overflow-wrap:anywhere}.youtube iframe{aspect-ratio:16/9}.spotify iframe{height:152px}' +
  'form{display:grid;gap:.5rem;text-align:start;padding:1rem;border:1px solid currentColor;border-radius:.75rem}' +
  'form h2,form p{margin:0}' +
  'input{font:inherit;padding:.75rem;border-radius:.5rem;border:1px solid var(--fg);background:var(--bg);color:var(--fg)}' +
  'button{font:inherit;font-weight:600;min-height:44px;padding:.75rem;border:0;border-radius:.5rem;background:var(--ac);color:var(--on);cursor:pointer}' +
  '.hp{position:absolute;inset-inline-start:-10000px;width:1px;height:1px;overflow:hidden}' +
  '.notice{margin:0 0 1rem;padding:.75rem;border:2px solid var(--ac);border-radius:.5rem}' +
  '.product{display:grid;gap:.5rem;padding:1rem;border:1px solid currentColor;border-radius:.75rem}' +
  '.product img{width:100%;max-height:16rem;object-fit:cover;border-radius:.5rem}.product h2{margin:0;overflow-wrap:anywhere}.price{margin:0;font-weight:600}' +
  '.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}';

/** The page's whole stylesheet (inlined: no extra request) and its CSP hash. */
export function pageStyle(theme: ResolvedTheme): { css: string; hash: string } {
  const css = `:root{--bg:${theme.background};--fg:${theme.text};--ac:${theme.accent};--on:${theme.onAccent};--font:${theme.font}}${baseCss}`;
  return { css, hash: `'sha256-${createHash('sha256').update(css).digest('base64')}'` };
}
