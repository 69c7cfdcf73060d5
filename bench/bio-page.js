// Bio page benchmark: GET /b/:slug (a published page of 12 links, a heading, socials and a form) through the kernel
// with a warm page cache, against a bare Koa answering the same HTML bytes as a constant, same run, same machine.
// Needs the bio-sites plugin built (`npx tsc -b`); uses DATABASE_URL when set, otherwise an embedded PostgreSQL.
// One file, three roles: without an argument it drives the run; `bare` and `kernel` are the servers it forks.
import { Buffer } from 'node:buffer';
import { fork } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';

const duration = Number(process.env.BENCH_DURATION ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const slug = 'bench-page';
const phone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const crawler = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

/** A kernel with Bio Sites in the API role (no job worker: recorded hits wait for a rollup that never comes). */
async function bioKernel(databaseUrl) {
  // Imported here, so the baseline's process loads no Plinth code at all.
  const { createKernel, loadConfig } = await import('@plinth/core');
  const { default: bioSites } = await import('@plinth/plugin-bio-sites');
  const config = await loadConfig({ env: { ...process.env, DATABASE_URL: databaseUrl, PORT: '0', LOG_LEVEL: 'warn', PLINTH_ROLE: 'api' } });
  const kernel = await createKernel(config, { plugins: [bioSites] });
  await kernel.start();
  return kernel;
}

/** Answers the driver's `cpu` and `stop` messages. */
function serve(url, stop) {
  process.send?.({ url });
  process.on('message', (message) => message === 'cpu' && process.send?.({ cpu: process.cpuUsage(), rss: process.memoryUsage().rss }));
  process.on('message', (message) => message === 'stop' && stop().then(() => process.exit(0)));
}

/** The baseline: Koa answering a constant string (the page's own bytes). No Plinth code, no database. */
async function bareServer() {
  const html = process.env.BENCH_HTML;
  const { default: Koa } = await import('koa');
  const app = new Koa();
  app.use((ctx) => {
    if (ctx.path === `/b/${slug}`) {
      ctx.type = 'text/html; charset=utf-8';
      ctx.set('cache-control', 'public, no-cache');
      ctx.body = html;
    }
  });
  const server = app.listen(0, '127.0.0.1', () =>
    serve(`http://127.0.0.1:${server.address().port}/b/${slug}`, () => new Promise((done) => server.close(done))),
  );
}

/** The kernel serving the page through the full request path. */
async function kernelServer() {
  const kernel = await bioKernel(process.env.BENCH_DATABASE_URL);
  serve(`${kernel.url}/b/${slug}`, () => kernel.stop());
}

/** A fresh database with a tenant that enabled Bio Sites and published a typical page; returns the page's HTML. */
async function prepareDatabase() {
  let embedded;
  let scratch;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    scratch = mkdtempSync(path.join(tmpdir(), 'plinth-bench-'));
    chmodSync(scratch, 0o755);
    const { startEmbeddedPostgres } = await import('@plinth/core');
    embedded = await startEmbeddedPostgres({ dataDir: path.join(scratch, 'postgres') });
    serverUrl = embedded.url;
  }
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query('drop database if exists plinth_bench_bio with (force)');
  await admin.query('create database plinth_bench_bio');
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = '/plinth_bench_bio';

  const kernel = await bioKernel(url.toString());
  const call = async (method, route, body, headers = {}) => {
    const response = await fetch(`${kernel.url}${route}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status >= 300) throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  const { data } = await call('POST', '/api/v1/auth/register', {
    email: 'bench@example.test',
    password: 'bench-password-4821',
    name: 'Bench',
    tenant: { name: 'Bench', slug: 'bench' },
  });
  const owner = { authorization: `Bearer ${data.tokens.access_token}`, 'x-tenant': 'bench' };
  await call('POST', '/api/v1/marketplace/bio-sites/enable', {}, owner);
  const site = (await call('POST', '/api/v1/bio-sites/sites', { slug, title: 'Bench creator', bio: 'Videos, music and notes.', status: 'published' }, owner))
    .data;
  const block = (body) => call('POST', `/api/v1/bio-sites/sites/${site.id}/blocks`, body, owner);
  await block({ type: 'heading', data: { text: 'Latest' } });
  for (let index = 0; index < 12; index++) await block({ type: 'link', data: { title: `Link number ${index}`, url: `https://example.com/${index}` } });
  await block({ type: 'social', data: { links: ['instagram', 'tiktok', 'youtube'].map((network) => ({ network, url: `https://${network}.example/me` })) } });
  await block({ type: 'email_capture', data: {} });
  const page = await fetch(`${kernel.url}/b/${slug}`, { headers: { 'user-agent': crawler } });
  const html = await page.text();
  if (page.status !== 200) throw new Error(`the page answered ${page.status}`);
  await kernel.stop();
  return {
    url: url.toString(),
    html,
    async dispose() {
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query('drop database if exists plinth_bench_bio with (force)');
      await cleanup.end();
      await embedded?.stop();
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    },
  };
}

function startServer(role, env) {
  const child = fork(fileURLToPath(import.meta.url), [role], { env: { ...process.env, ...env }, stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('message', ({ url }) =>
      resolve({
        url,
        /** CPU time (user + system, µs) the server process has used so far, and its resident memory now. */
        stats: () => new Promise((done) => (child.once('message', ({ cpu, rss }) => done({ cpu: cpu.user + cpu.system, rss })), child.send('cpu'))),
        stop: () => new Promise((done) => (child.once('exit', done), child.send('stop'))),
      }),
    );
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)));
  });
}

async function load(url, seconds, userAgent) {
  const result = await autocannon({ url, connections, duration: seconds, headers: { 'user-agent': userAgent } });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Every target runs for the whole benchmark; after a warm-up (which fills the page cache), rounds interleave the targets. */
async function measureAll(targets) {
  const servers = [];
  try {
    for (const target of targets) servers.push(await startServer(target.role, target.env));
    for (const [index, target] of targets.entries()) await load(servers[index].url, 2, target.userAgent);
    const results = targets.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (let step = 0; step < targets.length; step++) {
        const index = (step + round) % targets.length;
        const before = await servers[index].stats();
        const run = await load(servers[index].url, duration, targets[index].userAgent);
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

async function drive() {
  const database = await prepareDatabase();
  try {
    console.log(
      `bio page: GET /b/${slug} (${Buffer.byteLength(database.html)} bytes of HTML), ${connections} connections, ${rounds} interleaved rounds of ${duration} s per target (medians), loopback, one process each`,
    );
    const env = { BENCH_DATABASE_URL: database.url, BENCH_HTML: database.html };
    const [bare, visitor, bot] = await measureAll([
      { role: 'bare', env, userAgent: phone },
      { role: 'kernel', env, userAgent: phone },
      { role: 'kernel', env, userAgent: crawler },
    ]);
    const line = (name, r) =>
      `${name.padEnd(52)} ${r.rps.toFixed(0).padStart(7)} req/s   p50 ${String(r.p50).padStart(3)} ms   p99 ${String(r.p99).padStart(4)} ms   ${(r.rps / bare.rps).toFixed(2)}×   ${r.cpuPerRequest.toFixed(0).padStart(4)} µs CPU/req   RSS ${r.rssMb.toFixed(0)} MB`;
    console.log(line('bare Koa, constant HTML (baseline)', bare));
    console.log(line('kernel, warm page cache, visit recorded (phone)', visitor));
    console.log(line('kernel, warm page cache, crawler (not recorded)', bot));
  } finally {
    await database.dispose();
  }
}

const role = process.argv[2];
if (role === 'bare') await bareServer();
else if (role === 'kernel') await kernelServer();
else await drive();
