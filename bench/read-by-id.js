// Read-by-id benchmark: the kernel against a bare Koa + pg baseline, same run, same database.
import { fork } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { createKernel, createTenantTable, loadConfig, startEmbeddedPostgres } from '@plinth/core';

const duration = Number(process.env.BENCH_DURATION ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = 50;
const rows = 1000;

/** A fresh database with core's schema, a tenant with an owner, and `bench_items` as an RLS-protected tenant table. */
async function prepareDatabase() {
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
  await admin.query('drop database if exists plinth_bench with (force)');
  await admin.query('create database plinth_bench');
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = '/plinth_bench';

  const config = await loadConfig({ env: { ...process.env, DATABASE_URL: url.toString(), PORT: '0', LOG_LEVEL: 'warn', PLINTH_ROLE: 'api' } });
  const kernel = await createKernel(config);
  await kernel.start();
  const response = await fetch(`${kernel.url}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'bench@example.test', password: 'bench-password-4821', name: 'Bench', tenant: { name: 'Bench', slug: 'bench' } }),
  });
  const { data } = await response.json();
  const { knex } = kernel.container.cradle.database;
  await createTenantTable(knex, 'bench_items', (table) => {
    table.integer('number').notNullable();
    table.text('name').notNullable();
    table.integer('price').notNullable();
  });
  await knex.raw('alter table bench_items drop constraint bench_items_pkey, alter column id drop default, alter column id type int using 0');
  await knex.raw(`insert into bench_items (id, tenant_id, number, name, price) select g, ?, g, 'item ' || g, g * 100 from generate_series(1, ${rows}) g`, [
    data.tenant.id,
  ]);
  await knex.raw('alter table bench_items add primary key (id)');
  // The load far exceeds a tenant's default request quota; the benchmark measures cost, not the limiter's refusals.
  await knex.raw(`update tenants set quotas = '{"requests_per_minute": 1000000000}' where id = ?`, [data.tenant.id]);
  await kernel.stop();
  return {
    url: url.toString(),
    headers: { authorization: `Bearer ${data.tokens.access_token}`, 'x-tenant': 'bench' },
    async dispose() {
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query('drop database if exists plinth_bench with (force)');
      await cleanup.end();
      await embedded?.stop();
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    },
  };
}

function startServer(file, env) {
  const execArgv = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child = fork(new URL(`./servers/${file}`, import.meta.url), { env: { ...process.env, ...env }, stdio: 'inherit', execArgv });
  return new Promise((resolve, reject) => {
    child.once('message', ({ url }) =>
      resolve({
        url,
        /** CPU time (user + system, µs) the server process has used so far, and its resident memory now. */
        stats: () => new Promise((done) => (child.once('message', ({ cpu, rss }) => done({ cpu: cpu.user + cpu.system, rss })), child.send('cpu'))),
        stop: () => new Promise((done) => (child.once('exit', done), child.send('stop'))),
      }),
    );
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
}

async function load(baseUrl, seconds, headers) {
  let counter = 0;
  const result = await autocannon({
    url: baseUrl,
    connections,
    duration: seconds,
    headers,
    requests: [{ setupRequest: (request) => ({ ...request, path: `${new URL(baseUrl).pathname}/${(counter++ % rows) + 1}` }) }],
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${baseUrl}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Every target's server runs for the whole benchmark; after a warm-up, each
 * round loads every target once, in a rotating order, and the medians are
 * reported. A machine drifts during a run (a later target measured alone
 * comes out slower), so interleaving is what makes the ratios comparable.
 */
async function measureAll(targets) {
  const servers = [];
  try {
    for (const target of targets) servers.push(await startServer(target.file, target.env));
    for (const [index, target] of targets.entries()) await load(servers[index].url, 2, target.headers);
    const results = targets.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (let step = 0; step < targets.length; step++) {
        const index = (step + round) % targets.length;
        const before = await servers[index].stats();
        const run = await load(servers[index].url, duration, targets[index].headers);
        const after = await servers[index].stats();
        run.cpuPerRequest = (after.cpu - before.cpu) / (run.rps * duration);
        run.rss = after.rss;
        results[index].push(run);
      }
    }
    return results.map((runs) => ({
      rps: median(runs.map((run) => run.rps)),
      p50: median(runs.map((run) => run.p50)),
      p99: median(runs.map((run) => run.p99)),
      cpuPerRequest: median(runs.map((run) => run.cpuPerRequest)),
      rssMb: Math.max(...runs.map((run) => run.rss)) / 1024 / 1024,
    }));
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

const database = await prepareDatabase();
try {
  console.log(
    `read by id: ${connections} connections, ${rounds} interleaved rounds of ${duration} s per target (medians), ${rows} rows, loopback, one process each`,
  );
  const env = { BENCH_DATABASE_URL: database.url };
  const [bare, plain, tenant, tenant50] = await measureAll([
    { file: 'bare.js', env },
    { file: 'kernel.js', env: { ...env, BENCH_ROUTE: 'plain' } },
    { file: 'kernel.js', env: { ...env, BENCH_ROUTE: 'tenant', BENCH_PLUGINS: '1' }, headers: database.headers },
    { file: 'kernel.js', env: { ...env, BENCH_ROUTE: 'tenant', BENCH_PLUGINS: '50' }, headers: database.headers },
  ]);
  const line = (name, r) =>
    `${name.padEnd(58)} ${r.rps.toFixed(0).padStart(8)} req/s   p50 ${String(r.p50).padStart(4)} ms   p99 ${String(r.p99).padStart(4)} ms   ${(r.rps / bare.rps).toFixed(2)}×   ${r.cpuPerRequest.toFixed(0).padStart(4)} µs CPU/req (${(bare.cpuPerRequest / r.cpuPerRequest).toFixed(2)}×)   RSS ${r.rssMb.toFixed(0)} MB`;
  console.log(line('bare Koa + pg (baseline)', bare));
  console.log(line('kernel, public route, knex select by id', plain));
  console.log(line('kernel, JWT + tenant + permission + RLS tx + select', tenant));
  console.log(line('  same, 50 plugins installed and enabled (10 routes each)', tenant50));
  console.log(`per-request cost with 50 plugins vs 1: ${((tenant.rps / tenant50.rps - 1) * 100).toFixed(1)}%`);
} finally {
  await database.dispose();
}
