// Baseline: Koa + pg, one prepared select by primary key. No Plinth code.
import Koa from 'koa';
import pg from 'pg';
import { serve } from '../lib/server.js';

const pool = new pg.Pool({ connectionString: process.env.BENCH_DATABASE_URL, max: 10 });
pool.on('error', () => undefined);
const app = new Koa();
app.use(async (ctx) => {
  const match = /^\/items\/(\d+)$/.exec(ctx.path);
  if (!match) {
    ctx.status = 404;
    return;
  }
  const result = await pool.query({ name: 'item-by-id', text: 'select id, name, price from bench_items where id = $1', values: [Number(match[1])] });
  ctx.body = result.rows[0];
});
const server = app.listen(0, '127.0.0.1', () =>
  serve(`http://127.0.0.1:${server.address().port}/items`, () => new Promise((done) => server.close(done)).then(() => pool.end())),
);
