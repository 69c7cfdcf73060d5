// CRM contact search benchmark: GET /api/v1/crm/contacts?q=… over 100,000 contacts (BENCH_CONTACTS) of one tenant, through the
// full request path (JWT, tenant, permission, RLS transaction), reporting requests/s and p50/p99 latency.
// Needs the CRM plugin built (`npx tsc -p plugins/crm/tsconfig.json`); uses DATABASE_URL when set, otherwise an
// embedded PostgreSQL in a temporary folder.
import { performance } from 'node:perf_hooks';
import crm from '@plinth/plugin-crm';
import { scratchDatabase } from './lib/database.js';
import { benchTenant, call, exitAfterWorker, startKernel } from './lib/kernel.js';
import { contactQueries as queries, seedContacts } from './lib/crm-contacts.js';
import { load, median, settings } from './lib/measure.js';

const { duration, connections } = settings({ duration: 10, connections: 10 });
const contacts = Number(process.env.BENCH_CONTACTS ?? 100_000);

/** A kernel with the CRM enabled for the bench tenant, whose contacts are seeded; returns it and the owner's headers. */
async function prepare(databaseUrl) {
  const kernel = await startKernel(databaseUrl, { plugins: [crm] });
  const tenant = await benchTenant(kernel);
  await call(kernel, 'POST', '/api/v1/marketplace/crm/enable', {}, tenant.headers);
  await seedContacts(databaseUrl, tenant.id, contacts);
  return { kernel, headers: tenant.headers };
}

let counter = 0;
/** Loads the search route with the queries in turn. */
const search = (kernel, headers, seconds) =>
  load(kernel.url, {
    seconds,
    connections,
    headers,
    request: { setupRequest: (request) => ({ ...request, path: `/api/v1/crm/contacts?${queries[counter++ % queries.length]}` }) },
  });

const database = await scratchDatabase('plinth_bench_crm');
try {
  const { kernel, headers } = await prepare(database.url);
  try {
    const sample = await call(kernel, 'GET', '/api/v1/crm/contacts?q=ada', undefined, headers);
    console.log(
      `crm search: ${contacts} contacts, ${queries.length} rotating queries (e.g. q=ada matches ${sample.meta.pagination.total}), ${connections} connections, ${duration} s`,
    );
    // Each query once, alone: the slowest show where the time goes.
    const alone = [];
    for (const query of queries) {
      const started = performance.now();
      await (await fetch(`${kernel.url}/api/v1/crm/contacts?${query}`, { headers })).arrayBuffer();
      alone.push({ query, ms: performance.now() - started });
    }
    alone.sort((a, b) => b.ms - a.ms);
    const slowest = alone.slice(0, 3).map((q) => `${q.query} ${q.ms.toFixed(0)} ms`);
    console.log(`alone: median ${median(alone.map((q) => q.ms)).toFixed(1)} ms; slowest ${slowest.join(', ')}`);
    await search(kernel, headers, 2);
    const result = await search(kernel, headers, duration);
    console.log(`GET /api/v1/crm/contacts?q=…  ${result.rps.toFixed(0)} req/s   p50 ${result.p50} ms   p99 ${result.p99} ms   max ${result.max} ms`);
  } finally {
    await kernel.stop();
  }
} finally {
  await database.dispose();
}
exitAfterWorker();
