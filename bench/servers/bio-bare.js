// Bio page baseline: Koa answering the page's own HTML bytes (BENCH_HTML) as a constant. No Plinth code, no database.
import Koa from 'koa';
import { serve } from '../lib/server.js';

const path = `/b/${process.env.BENCH_SLUG}`;
const html = process.env.BENCH_HTML;
const app = new Koa();
app.use((ctx) => {
  if (ctx.path === path) {
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('cache-control', 'public, no-cache');
    ctx.body = html;
  }
});
const server = app.listen(0, '127.0.0.1', () => serve(`http://127.0.0.1:${server.address().port}${path}`, () => new Promise((done) => server.close(done))));
