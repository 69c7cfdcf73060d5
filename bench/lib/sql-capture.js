// Preloaded into a `plinth start` host by bench/pg-plans.js (`NODE_OPTIONS=--import …/sql-capture.js`): appends
// every statement the host's `pg` clients send to the file BENCH_SQL_LOG, one JSON line each — `c` the client (a
// number per connection, so the reader knows which tenant scope that connection's session holds), `t` the text,
// `n` its name (a prepared statement's) and `v` its values. A benchmark aid only: it writes synchronously.
import { appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const file = process.env.BENCH_SQL_LOG;
if (file) {
  // The CommonJS module the kernel's `import pg from 'pg'` loads too: one module instance, one prototype.
  const pg = createRequire(import.meta.url)('pg');
  const ids = new WeakMap();
  let next = 0;
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function capture(config, values, callback) {
    let id = ids.get(this);
    if (id === undefined) ids.set(this, (id = ++next));
    const text = typeof config === 'string' ? config : config?.text;
    if (typeof text === 'string') {
      const params = Array.isArray(values) ? values : config?.values;
      appendFileSync(file, `${JSON.stringify({ c: id, t: text, n: typeof config === 'object' ? config.name : undefined, v: params ?? [] })}\n`);
    }
    return original.call(this, config, values, callback);
  };
}
