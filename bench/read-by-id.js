// Read-by-id benchmark: the kernel against a bare Koa + pg baseline, same run, same database.
import { fork } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { startEmbeddedPostgres } from '@plinth/core';

const duration = Number(process.env.BENCH_DURATION ?? 10);
const connections = 50;
const rows = 1000;

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
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await client.query('create table bench_items (id int primary key, name text not null, price int not null)');
  await client.query(`insert into bench_items select g, 'item ' || g, g * 100 from generate_series(1, ${rows}) g`);
  await client.end();
  return {
    url: url.toString(),
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

function startServer(file, databaseUrl) {
  const child = fork(new URL(`./servers/${file}`, import.meta.url), { env: { ...process.env, BENCH_DATABASE_URL: databaseUrl }, stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('message', ({ url }) => resolve({ url, stop: () => new Promise((done) => (child.once('exit', done), child.send('stop'))) }));
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
}

async function load(baseUrl, seconds) {
  let counter = 0;
  const result = await autocannon({
    url: baseUrl,
    connections,
    duration: seconds,
    requests: [{ setupRequest: (request) => ({ ...request, path: `${new URL(baseUrl).pathname.replace(/\/$/, '')}/items/${(counter++ % rows) + 1}` }) }],
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${baseUrl}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

async function measure(file, databaseUrl) {
  const server = await startServer(file, databaseUrl);
  try {
    await load(server.url, 2); // warm-up: JIT, pools, prepared statements
    return await load(server.url, duration);
  } finally {
    await server.stop();
  }
}

const database = await prepareDatabase();
try {
  console.log(`read by id: ${connections} connections, ${duration} s per target, ${rows} rows, loopback`);
  const bare = await measure('bare.js', database.url);
  const kernel = await measure('kernel.js', database.url);
  const line = (name, r) =>
    `${name.padEnd(34)} ${r.rps.toFixed(0).padStart(8)} req/s   p50 ${String(r.p50).padStart(4)} ms   p99 ${String(r.p99).padStart(4)} ms   ${(r.rps / bare.rps).toFixed(2)}×`;
  console.log(line('bare Koa + pg (baseline)', bare));
  console.log(line('kernel, select by id (knex)', kernel));
} finally {
  await database.dispose();
}
