// 50 installed plugins against one: the CRM contact read by id (`GET /api/v1/crm/contacts/:id`) on a `plinth start`
// host with only the CRM and on one with every first-party plugin and 43 generated ones (all enabled), both
// `PLINTH_ROLE=api` as in plugin-routes.js, loaded alternately; prints requests/s, server CPU µs per request and the
// largest RSS under load for each, and the ratio of CPU per request (issue 17's target: ≤ 1.03×). With BENCH_PROFILE
// set to a folder, the hosts write CPU profiles there when they stop, and their busiest functions are printed.
// BENCH_HOST_NODE_OPTIONS: NODE_OPTIONS of both hosts (e.g. `--max-semi-space-size=32`, to see what the young
// generation's size does to CPU and RSS). Needs `npm run build`; Linux. BENCH_DURATION (default 5 s), BENCH_ROUNDS
// (3), BENCH_CONNECTIONS (50), BENCH_CONTACTS (10,000).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { compareLines, layerLines, monotonicUs, profilesIn, selfTimes, topLines } from './lib/cpu-profile.js';
import { seedContacts } from './lib/crm-contacts.js';
import { scratchDatabase } from './lib/database.js';
import { measureAll, row, settings } from './lib/measure.js';
import { benchTenant, enablePlugins, firstParty, firstPartyPackages, hostEnvironment, repo, writeGeneratedPlugins } from './lib/plinth-hosts.js';
import { startPlinth } from './lib/server.js';

const { duration, rounds, connections } = settings({ duration: 5, rounds: 3, connections: 50 });
const contactCount = Number(process.env.BENCH_CONTACTS ?? 10_000);

const database = await scratchDatabase('plinth_bench_plugin_count');
const scratch = mkdtempSync(path.join(tmpdir(), 'plinth-bench-count-'));
const servers = [];
let alonePid;
let fiftyPid;
let loads;
let requests;
try {
  const environment = hostEnvironment(database.url, scratch);
  const { plinthEnv } = environment;
  const generated = writeGeneratedPlugins(scratch);
  const fiftyEnv = plinthEnv('fifty', [...firstPartyPackages, ...generated], { PLINTH_ROLE: 'api' });
  const fifty = await startPlinth({ cwd: repo, env: fiftyEnv });
  servers.push(fifty);
  const { tenantId, headers } = await benchTenant(fifty, fiftyEnv);
  // The console is the host's, not a tenant's to enable.
  const tenantPlugins = [...firstParty.filter((name) => name !== 'console'), ...generated.map((_, index) => `gen-${index}`)];
  await enablePlugins(fifty, headers, tenantPlugins);
  const alone = await startPlinth({ cwd: repo, env: plinthEnv('crm', ['@plinth/plugin-crm'], { PLINTH_CONSOLE: 'false', PLINTH_ROLE: 'api' }) });
  servers.push(alone);
  [alonePid, fiftyPid] = [alone.pid, fifty.pid];

  await seedContacts(database.url, tenantId, contactCount);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const ids = (await client.query('select id from crm_contacts order by random() limit 1000')).rows.map((contact) => contact.id);
  await client.end();
  let next = 0;
  const request = { setupRequest: (request) => ({ ...request, path: `/api/v1/crm/contacts/${ids[next++ % ids.length]}` }) };

  const targets = [
    { label: 'crm: GET /contacts/:id, CRM the only plugin', server: alone, headers, request },
    { label: 'crm: GET /contacts/:id, 50 plugins installed', server: fifty, headers, request },
  ];
  const started = monotonicUs();
  const [one, many] = await measureAll(targets, { rounds, duration, connections });
  loads = { from: started, to: monotonicUs() };
  requests = [one, many].map((result) => result.rps * (rounds * duration + 2));
  const flags = process.env.BENCH_HOST_NODE_OPTIONS ? `; hosts with NODE_OPTIONS=${process.env.BENCH_HOST_NODE_OPTIONS}` : '';
  console.log(`plugin count: ${connections} connections, ${rounds} alternating rounds of ${duration} s per host (medians); ${contactCount} contacts${flags}`);
  console.log(row(targets[0].label, one, one, { width: 46 }));
  console.log(row(targets[1].label, many, one, { width: 46 }));
  const ratio = many.cpuPerRequest / one.cpuPerRequest;
  console.log(`${ratio <= 1.03 ? 'met   ' : 'missed'}  server CPU per request, 50 plugins installed ≤ 1.03× one: ${ratio.toFixed(2)}`);
} finally {
  await Promise.all(servers.map((server) => server.stop()));
  await database.dispose();
  rmSync(scratch, { recursive: true, force: true });
}

if (process.env.BENCH_PROFILE && loads) {
  // Node names a profile after its process: CPU.<date>.<time>.<pid>.<thread>.<sequence>.cpuprofile.
  const profileOf = (pid) => profilesIn(process.env.BENCH_PROFILE).find((file) => Number(path.basename(file).split('.')[3]) === pid);
  const hosts = [
    { label: 'CRM only', file: profileOf(alonePid), requests: requests[0] },
    { label: '50 plugins', file: profileOf(fiftyPid), requests: requests[1] },
  ];
  for (const { label, file } of hosts) {
    const { total, functions, files } = selfTimes(file, loads);
    const idle = functions.filter(([name]) => name.startsWith('(idle)')).reduce((sum, [, us]) => sum + us, 0);
    console.log(`\n${label} (${file}), under load: ${((total - idle) / 1000).toFixed(0)} ms busy`);
    for (const line of [...topLines(files, total - idle, 12), '', ...topLines(functions, total - idle, 20)]) console.log(line);
  }
  console.log('');
  for (const line of compareLines(hosts, loads)) console.log(line);
  for (const { label, file, requests: count } of hosts) {
    console.log(`\n${label}: self time per request by layer, under load`);
    for (const line of layerLines(file, loads, count)) console.log(line);
  }
}
