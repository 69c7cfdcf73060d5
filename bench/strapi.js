// Strapi, the peer to beat: the same read by id against a Strapi 5 install, interleaved with the bare Koa + pg
// baseline of the other benchmarks, printing the ratio. Strapi is not part of this repository: run it yourself and set
//   STRAPI_URL    where it answers, e.g. http://127.0.0.1:1337
//   STRAPI_TOKEN  an API token (Settings → API Tokens) allowed to read the type
//   STRAPI_TYPE   the content type's plural API id, e.g. articles (default)
//   STRAPI_ID     the documentId of one entry, read as GET /api/<type>/<documentId>
//   STRAPI_PID    optional: the process id of Strapi's Node server, on this machine, to report its CPU and memory
// Without STRAPI_URL and STRAPI_TOKEN it says what to set and exits. Uses DATABASE_URL for the baseline (or an
// embedded PostgreSQL).
import { createBenchItems, scratchDatabase } from './lib/database.js';
import { measureAll, row, settings } from './lib/measure.js';
import { processCpu, processRss } from './lib/proc.js';
import { bareTarget } from './lib/server.js';

const { STRAPI_URL: url, STRAPI_TOKEN: token, STRAPI_TYPE: type = 'articles', STRAPI_ID: id, STRAPI_PID: pid } = process.env;
if (!url || !token || !id) {
  console.log(
    'strapi: set STRAPI_URL, STRAPI_TOKEN and STRAPI_ID (and STRAPI_TYPE, default articles) to compare with a Strapi 5 install; see the top of bench/strapi.js',
  );
  process.exit(0);
}

const { duration, rounds, connections } = settings({ duration: 10, rounds: 3, connections: 50 });
const headers = { authorization: `Bearer ${token}` };
const entry = `${url.replace(/\/$/, '')}/api/${type}/${id}`;
const probe = await fetch(entry, { headers });
if (!probe.ok) throw new Error(`GET ${entry}: ${probe.status} ${await probe.text()}`);

const database = await scratchDatabase('plinth_bench_strapi');
try {
  await createBenchItems(database.url, 1000);
  // Strapi runs elsewhere: its CPU time and memory only when its process is given.
  const strapi = { url: entry, stats: () => (pid ? { cpu: processCpu(pid), rss: processRss(pid) } : { cpu: NaN, rss: NaN }) };
  const [bare, peer] = await measureAll([bareTarget(database.url, 1000), { server: strapi, headers }], { rounds, duration, connections });
  console.log(`strapi: ${connections} connections, ${rounds} interleaved rounds of ${duration} s per target (medians)`);
  console.log(row('bare Koa + pg, select by id (baseline)', bare, bare, { width: 50 }));
  console.log(row(`Strapi: GET /api/${type}/:documentId`, peer, bare, { width: 50 }));
} finally {
  await database.dispose();
}
