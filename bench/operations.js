// Operations overhead benchmark: what tracing and metrics cost on the route users call. `plinth start` in production
// mode with every first-party plugin, three ways, against the bare Koa + pg baseline, interleaved in one run:
//   - this build with tracing off (no OTEL_* variable: the default);
//   - this build exporting every span with OTLP/HTTP to a sink in this process (OTEL_EXPORTER_OTLP_ENDPOINT);
//   - with BENCH_BASE_REPO set to another checkout (built, e.g. a `git worktree` of the commit before), that build,
//     on a database of its own seeded the same way: the cost of the instrumentation points when tracing is off.
// Reads a CRM contact by id and writes a contact (rounds of their own). Then times `GET /metrics` (the scrape, with
// its job-table query). Needs `npm run build`; Linux.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import pg from 'pg';
import { seedContacts } from './lib/crm-contacts.js';
import { createBenchItems, scratchDatabase } from './lib/database.js';
import { measureAll, row, settings } from './lib/measure.js';
import { benchTenant, enablePlugins, firstParty, firstPartyPackages, hostEnvironment, repo } from './lib/plinth-hosts.js';
import { bareTarget, startPlinth } from './lib/server.js';

const { duration, rounds, connections } = settings({ duration: 10, rounds: 3, connections: 50 });
const contacts = Number(process.env.BENCH_CONTACTS ?? 20_000);
const baseRepo = process.env.BENCH_BASE_REPO;
const items = 1000;

/** An OTLP/HTTP endpoint that accepts and counts what it is sent. */
async function otlpSink() {
  const received = { requests: 0, bytes: 0 };
  const server = createServer((request, response) => {
    received.requests++;
    request.on('data', (chunk) => (received.bytes += chunk.length));
    request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, received, close: () => new Promise((done) => server.close(done)) };
}

/** A host's tenant `bench` with every first-party plugin and `contacts` contacts; returns its headers and contact ids. */
async function prepare(plinth, databaseUrl, env, checkout) {
  const { tenantId, headers } = await benchTenant(plinth, env, { checkout });
  await enablePlugins(
    plinth,
    headers,
    firstParty.filter((name) => name !== 'console'),
  );
  await seedContacts(databaseUrl, tenantId, contacts);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const ids = (await client.query('select id from crm_contacts order by random() limit 1000')).rows.map((contact) => contact.id);
  await client.end();
  return { headers, ids };
}

let created = 0;
/** The read and the write of one host. */
function plan(server, headers, ids, run) {
  let next = 0;
  return {
    read: { server, headers, request: { setupRequest: (request) => ({ ...request, path: `/api/v1/crm/contacts/${ids[next++ % ids.length]}` }) } },
    write: {
      server,
      headers: async () => ({ ...(await headers()), 'content-type': 'application/json' }),
      request: {
        method: 'POST',
        path: '/api/v1/crm/contacts',
        setupRequest: (request) => ({ ...request, body: JSON.stringify({ name: `New ${created}`, email: `new-${run}-${created++}@example.test` }) }),
      },
    },
  };
}

const sink = await otlpSink();
const databases = [await scratchDatabase('plinth_bench_operations')];
const scratch = mkdtempSync(path.join(tmpdir(), 'plinth-bench-operations-'));
const servers = [];
try {
  const [database] = databases;
  await createBenchItems(database.url, items);
  const { run, plinthEnv } = hostEnvironment(database.url, scratch);
  // The measured hosts serve requests only; a worker of their own does the background work of writes for both.
  const offEnv = plinthEnv('off', firstPartyPackages, { PLINTH_ROLE: 'api' });
  servers.push(await startPlinth({ cwd: repo, env: plinthEnv('off', firstPartyPackages, { PLINTH_ROLE: 'worker' }) }));
  const off = await startPlinth({ cwd: repo, env: offEnv });
  servers.push(off);
  const { headers, ids } = await prepare(off, database.url, offEnv, repo);
  const traced = await startPlinth({
    cwd: repo,
    env: plinthEnv('traced', firstPartyPackages, { PLINTH_ROLE: 'api', OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_SERVICE_NAME: 'plinth-bench' }),
  });
  servers.push(traced);

  const targets = [
    { name: 'bare', label: 'bare Koa + pg, select by id (baseline)', ...bareTarget(database.url, items) },
    { name: 'off', label: 'crm: GET /contacts/:id, tracing off', ...plan(off, headers, ids, run).read },
    { name: 'traced', label: 'crm: GET /contacts/:id, every span exported (OTLP)', ...plan(traced, headers, ids, run).read },
  ];
  const writes = [
    { name: 'writeBare', label: 'bare, in the write rounds (its baseline)', ...bareTarget(database.url, items) },
    { name: 'writeOff', label: 'crm: POST /contacts, tracing off', ...plan(off, headers, ids, run).write },
    { name: 'writeTraced', label: 'crm: POST /contacts, every span exported', ...plan(traced, headers, ids, `${run}t`).write },
  ];
  if (baseRepo) {
    const baseDatabase = await scratchDatabase('plinth_bench_operations_base');
    databases.push(baseDatabase);
    const baseHost = hostEnvironment(baseDatabase.url, mkdtempSync(path.join(scratch, 'base-')));
    const baseEnv = baseHost.plinthEnv('base', firstPartyPackages, { PLINTH_ROLE: 'api' });
    const cli = path.join(baseRepo, 'core/bin/plinth.js');
    servers.push(await startPlinth({ cwd: baseRepo, cli, env: baseHost.plinthEnv('base', firstPartyPackages, { PLINTH_ROLE: 'worker' }) }));
    const base = await startPlinth({ cwd: baseRepo, cli, env: baseEnv });
    servers.push(base);
    const prepared = await prepare(base, baseDatabase.url, baseEnv, baseRepo);
    const basePlan = plan(base, prepared.headers, prepared.ids, `${run}b`);
    targets.push({ name: 'base', label: `crm: GET /contacts/:id, build of ${path.basename(baseRepo)}`, ...basePlan.read });
    writes.push({ name: 'writeBase', label: `crm: POST /contacts, build of ${path.basename(baseRepo)}`, ...basePlan.write });
  }
  const reads = await measureAll(targets, { rounds, duration, connections });
  const written = await measureAll(writes, { rounds, duration, connections });

  // The scrape: /metrics as Prometheus asks for it, 50 times in a row.
  const scrapes = [];
  for (let index = 0; index < 50; index++) {
    const started = performance.now();
    const response = await fetch(`${off.url}/metrics`);
    await response.text();
    scrapes.push(performance.now() - started);
  }
  scrapes.sort((a, b) => a - b);

  console.log(
    `operations overhead: plinth start (production, every first-party plugin); ${connections} connections, ${rounds} interleaved rounds of ${duration} s per target (medians); ${contacts} contacts`,
  );
  for (const [index, target] of targets.entries()) console.log(row(target.label, reads[index], reads[0], { width: 56 }));
  for (const [index, target] of writes.entries()) console.log(row(target.label, written[index], written[0], { width: 56 }));
  const byName = Object.fromEntries([
    ...targets.map((target, index) => [target.name, reads[index]]),
    ...writes.map((target, index) => [target.name, written[index]]),
  ]);
  const change = (a, b) =>
    `${((byName[a].rps / byName[b].rps - 1) * 100).toFixed(1)} % req/s, ${((byName[a].cpuPerRequest / byName[b].cpuPerRequest - 1) * 100).toFixed(1)} % CPU/req`;
  console.log(`tracing on vs off, read: ${change('traced', 'off')}; write: ${change('writeTraced', 'writeOff')}`);
  if (baseRepo)
    console.log(`this build (tracing off) vs ${path.basename(baseRepo)}, read: ${change('off', 'base')}; write: ${change('writeOff', 'writeBase')}`);
  console.log(`OTLP sink received ${sink.received.requests} exports, ${(sink.received.bytes / 1024 / 1024).toFixed(1)} MB`);
  console.log(`GET /metrics: median ${scrapes[25].toFixed(1)} ms, max ${scrapes[49].toFixed(1)} ms over 50 scrapes`);
} finally {
  await Promise.all(servers.map((server) => server.stop()));
  for (const database of databases) await database.dispose();
  await sink.close();
  rmSync(scratch, { recursive: true, force: true });
}
