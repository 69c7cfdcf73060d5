// CRM contact search benchmark: GET /api/v1/crm/contacts?q=… over 100,000 contacts of one tenant, through the
// full request path (JWT, tenant, permission, RLS transaction), reporting requests/s and p50/p99 latency.
// Needs the CRM plugin built (`npx tsc -p plugins/crm/tsconfig.json`); uses DATABASE_URL when set, otherwise an
// embedded PostgreSQL in a temporary folder.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import pg from 'pg';
import { createKernel, loadConfig, startEmbeddedPostgres } from '@plinth/core';
import crm from '@plinth/plugin-crm';

const duration = Number(process.env.BENCH_DURATION ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const contacts = 100_000;
const firstNames = [
  'ada',
  'grace',
  'alan',
  'linus',
  'barbara',
  'edsger',
  'donald',
  'margaret',
  'ken',
  'dennis',
  'guido',
  'bjarne',
  'james',
  'anders',
  'rich',
  'john',
  'radia',
  'frances',
  'tim',
  'vint',
];
const syllables = ['ka', 'lo', 'mi', 'ra', 'tu', 'ven', 'sor', 'dal', 'bri', 'mon', 'hel', 'gar', 'pe', 'xu'];
const lastNames = Array.from({ length: 196 }, (_, index) => `${syllables[index % 14]}${syllables[Math.floor(index / 14)]}son`);
// What people type: a first name, a surname prefix, a company, an email prefix, and a search with filters.
const queries = [
  ...firstNames.map((name) => `q=${name}`),
  ...lastNames.slice(0, 40).map((name) => `q=${name.slice(0, 4)}`),
  ...Array.from({ length: 20 }, (_, index) => `q=company${index * 7}`),
  ...Array.from({ length: 20 }, (_, index) => `q=${firstNames[index % firstNames.length]}.${lastNames[index]}`),
  ...firstNames.map((name, index) => `q=${name}&tag=t${index % 5}&score_min=20&sort=-score`),
];

async function prepare() {
  let embedded;
  let scratch;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    scratch = mkdtempSync(path.join(tmpdir(), 'plinth-bench-'));
    chmodSync(scratch, 0o755);
    embedded = await startEmbeddedPostgres({ dataDir: path.join(scratch, 'postgres') });
    serverUrl = embedded.url;
  }
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query('drop database if exists plinth_bench_crm with (force)');
  await admin.query('create database plinth_bench_crm');
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = '/plinth_bench_crm';
  const config = await loadConfig({ env: { ...process.env, DATABASE_URL: url.toString(), PORT: '0', LOG_LEVEL: 'warn' } });
  const kernel = await createKernel(config, { plugins: [crm] });
  await kernel.start();
  const registered = await fetch(`${kernel.url}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'bench@example.test', password: 'bench-password-4821', name: 'Bench', tenant: { name: 'Bench', slug: 'bench' } }),
  });
  const { data } = await registered.json();
  const headers = { authorization: `Bearer ${data.tokens.access_token}`, 'x-tenant': 'bench' };
  const enabled = await fetch(`${kernel.url}/api/v1/marketplace/crm/enable`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: '{}',
  });
  if (enabled.status !== 200) throw new Error(`enabling crm failed: ${enabled.status} ${await enabled.text()}`);
  const { knex } = kernel.container.cradle.database;
  await knex.raw(
    `insert into crm_contacts (tenant_id, name, email, company, tags, source, score, created_at)
     select ?, initcap(f.name) || ' ' || initcap(l.name), f.name || '.' || l.name || g || '@example' || (g % 50) || '.com',
            'Company' || (g % 500), array['t' || (g % 5)], 'bench', g % 100, now() - make_interval(mins => g)
       from generate_series(1, ?) g,
            lateral (select (?::text[])[1 + g % ?] as name) f,
            lateral (select (?::text[])[1 + (g / ?) % ?] as name) l`,
    [data.tenant.id, contacts, firstNames, firstNames.length, lastNames, firstNames.length, lastNames.length],
  );
  // The steady state autovacuum keeps: statistics and visibility maps (index-only scans) up to date.
  await knex.raw('vacuum analyze crm_contacts');
  await knex.raw('vacuum analyze crm_contact_words');
  await knex.raw(`update tenants set quotas = '{"requests_per_minute": 1000000000}' where id = ?`, [data.tenant.id]);
  return {
    kernel,
    headers,
    async dispose() {
      await kernel.stop();
      if (process.env.BENCH_KEEP) return;
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query('drop database if exists plinth_bench_crm with (force)');
      await cleanup.end();
      await embedded?.stop();
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    },
  };
}

async function load(baseUrl, seconds, headers) {
  let counter = 0;
  const result = await autocannon({
    url: baseUrl,
    connections,
    duration: seconds,
    headers,
    requests: [{ setupRequest: (request) => ({ ...request, path: `/api/v1/crm/contacts?${queries[counter++ % queries.length]}` }) }],
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx, ${result.errors} errors`);
  return result;
}

const bench = await prepare();
try {
  const sample = await fetch(`${bench.kernel.url}/api/v1/crm/contacts?q=ada`, { headers: bench.headers });
  const matched = (await sample.json()).meta.pagination.total;
  console.log(
    `crm search: ${contacts} contacts, ${queries.length} rotating queries (e.g. q=ada matches ${matched}), ${connections} connections, ${duration} s`,
  );
  // Each query once, alone: the slowest show where the time goes.
  const alone = [];
  for (const query of queries) {
    const started = performance.now();
    await (await fetch(`${bench.kernel.url}/api/v1/crm/contacts?${query}`, { headers: bench.headers })).arrayBuffer();
    alone.push({ query, ms: performance.now() - started });
  }
  alone.sort((a, b) => b.ms - a.ms);
  console.log(
    `alone: median ${alone[Math.floor(alone.length / 2)].ms.toFixed(1)} ms; slowest ${alone
      .slice(0, 3)
      .map((q) => `${q.query} ${q.ms.toFixed(0)} ms`)
      .join(', ')}`,
  );
  await load(bench.kernel.url, 2, bench.headers);
  const result = await load(bench.kernel.url, duration, bench.headers);
  console.log(
    `GET /api/v1/crm/contacts?q=…  ${result.requests.average.toFixed(0)} req/s   p50 ${result.latency.p50} ms   p99 ${result.latency.p99} ms   max ${result.latency.max} ms`,
  );
} finally {
  await bench.dispose();
}
