// Page baseline: Koa answering one HTML page (BENCH_HTML) as a constant on any path, with the headers a customer page
// sends. No Plinth code, no database.
import Koa from 'koa';
import { serve } from '../lib/server.js';

const html =
  process.env.BENCH_HTML ??
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Page</title></head><body><main><h1>Page</h1></main></body></html>';
const app = new Koa();
app.use((ctx) => {
  ctx.type = 'text/html; charset=utf-8';
  ctx.set({ 'cache-control': 'no-store', 'content-security-policy': "default-src 'none'" });
  ctx.body = html;
});
const server = app.listen(0, '127.0.0.1', () => serve(`http://127.0.0.1:${server.address().port}`, () => new Promise((done) => server.close(done))));
