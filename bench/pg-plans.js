// PostgreSQL's work per request of the plugin routes of plugin-routes.js, measured without load (a busy machine
// skews wall-clock benches more than this): seeds the same tenant, then on a second `plinth start` host (role
// `api`, every first-party plugin) whose `pg` clients log what they send (lib/sql-capture.js) it
//   1. measures PostgreSQL's CPU time per request (the scratch database's backends, ns from /proc/<pid>/schedstat)
//      over PLANS_REQUESTS requests one after the other (500 for the list page) in PLANS_ROUNDS interleaved rounds
//      with the bare baseline (a prepared select by id on `bench_items`, as servers/bare.js sends it); medians;
//   2. counts the statements of each route's requests in the first round;
//   3. replays up to PLANS_SAMPLE of each statement text as the request ran it — the connection's tenant, unit
//      scope and role set, prepared, executed five times (so a plan PostgreSQL would cache is the one measured),
//      then `EXPLAIN (ANALYZE, TIMING OFF)` PLANS_RUNS times — and prints planning and execution ms (medians, then
//      the mean over the instances); PLANS_VERBOSE=1 adds the plan of the slowest instance.
// Needs `npm run build`, a PostgreSQL on this machine (DATABASE_URL, as a superuser), Redis (REDIS_URL); Linux.
// PLANS_ROUTES=contact,list limits the routes; PLANS_LOG=<file> keeps the captured statements there.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { contactQueries } from './lib/crm-contacts.js';
import { inParallel, seedPluginData } from './lib/plugin-seed.js';
import { createBenchItems, scratchDatabase } from './lib/database.js';
import { call } from './lib/kernel.js';
import { benchTenant, enablePlugins, firstParty, firstPartyPackages, hostEnvironment, repo, session } from './lib/plinth-hosts.js';
import { startPlinth } from './lib/server.js';

const counts = {
  contacts: Number(process.env.BENCH_CONTACTS ?? 100_000),
  products: Number(process.env.BENCH_PRODUCTS ?? 500),
  courses: Number(process.env.BENCH_COURSES ?? 100),
};
const sample = Number(process.env.PLANS_SAMPLE ?? 10);
const requests = Number(process.env.PLANS_REQUESTS ?? 2000);
const runs = Number(process.env.PLANS_RUNS ?? 5);
const rounds = Number(process.env.PLANS_ROUNDS ?? 3);
const verbose = Boolean(process.env.PLANS_VERBOSE);
const only = process.env.PLANS_ROUTES?.split(',');
/** The list page allows a user 300 requests a minute: its requests come from these members in turn. */
const listMembers = 8;

/** The tenant of plugin-routes.js: contacts, products, courses with 3 modules of 4 lessons, and members reading contacts. */
async function prepare(plinth, databaseUrl, env) {
  const { tenantId, headers } = await benchTenant(plinth, env, { members: listMembers + 10 });
  await enablePlugins(
    plinth,
    headers,
    firstParty.filter((name) => name !== 'console'),
  );
  const ids = await seedPluginData(plinth, databaseUrl, tenantId, headers, counts);
  const role = (await call(plinth, 'POST', '/api/v1/roles', { name: 'contact-reader', permissions: ['crm.contacts.view'] }, await headers())).data;
  const members = await inParallel([...Array(listMembers).keys()], listMembers, async (index) => {
    const person = { email: `member-${index}@example.test`, password: `member-password-${index}-4821` };
    const invitation = (await call(plinth, 'POST', '/api/v1/invitations', { email: person.email, roles: [role.id] }, await headers())).data;
    const token = new URL(invitation.accept_url).searchParams.get('token');
    await call(plinth, 'POST', '/api/v1/invitations/accept', { token, name: `Member ${index}`, password: person.password });
    return person;
  });
  return { headers, members, ids };
}

/** Sends one GET; throws unless 200. */
async function get(server, route, headers) {
  const response = await fetch(`${server.url}${route}`, { headers });
  if (response.status !== 200) throw new Error(`GET ${route}: ${response.status} ${await response.text()}`);
  await response.arrayBuffer();
}

/** What a statement's text says about it: the protocol around the request's statements, or one of them. */
function kindOf(line) {
  const text = line.t.trim().toLowerCase();
  if (text === 'begin' || text === 'commit' || text === 'rollback') return 'transaction';
  if (line.n === 'plinth-scope' || text.startsWith("select set_config('app.tenant_id'") || text.startsWith("select set_config('role'")) return 'scope';
  if (text.startsWith('deallocate')) return 'transaction';
  return 'statement';
}

/** The scope a connection's session holds after `line` (tenant, unit scope, role), updated from the scope statements. */
function trackScope(scopes, line) {
  const text = line.t.trim().toLowerCase();
  if (line.n === 'plinth-scope' || text.startsWith("select set_config('app.tenant_id'")) {
    const [tenant, role, unitScope] = line.v;
    scopes.set(line.c, { tenant, role, unitScope });
  } else if (text.startsWith("select set_config('role', 'none'")) scopes.delete(line.c);
}

/** The lines of `file` from byte `start` (to `end`). */
function linesBetween(file, start, end) {
  return readFileSync(file)
    .subarray(start, end)
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

const literal = (client, value) => {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return client.escapeLiteral(arrayLiteral(value));
  return client.escapeLiteral(typeof value === 'object' ? JSON.stringify(value) : String(value));
};
/** A PostgreSQL array literal of `values` (strings, numbers, nulls), as pg sends a JS array. */
const arrayLiteral = (values) =>
  `{${values.map((value) => (value === null ? 'NULL' : Array.isArray(value) ? arrayLiteral(value) : `"${String(value).replace(/(["\\])/g, '\\$1')}"`)).join(',')}}`;

/**
 * The CPU time of the backends serving `databaseUrl`'s database (those `pg_stat_activity` lists, but the one that
 * asks), in ns from /proc/<pid>/schedstat: finer than the clock ticks of /proc/<pid>/stat, which matters at a few
 * hundred µs a request. The server must run on this machine. `usedSince(snapshot)` sums, in µs, what the backends
 * alive now used after the snapshot.
 */
async function backendCpu(databaseUrl) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const ns = (pid) => {
    try {
      return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      return undefined;
    }
  };
  const snapshot = async () => {
    const { rows } = await client.query('select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()');
    return new Map(rows.map(({ pid }) => [pid, ns(pid)]).filter(([, used]) => used !== undefined));
  };
  return {
    snapshot,
    async usedSince(before) {
      let used = 0;
      for (const [pid, now] of await snapshot()) used += now - (before.get(pid) ?? 0);
      return used / 1000;
    },
    end: () => client.end(),
  };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Replays `line` in the scope it ran in: prepared, run five times, then explained `runs` times (each in a savepoint
 * rolled back, so a write leaves nothing and runs alike). Returns planning and execution ms (medians) and the plan.
 */
async function explain(client, line, scope) {
  await client.query('begin');
  try {
    if (scope) {
      await client.query("select set_config('app.tenant_id', $1, true), set_config('app.unit_scope', $3, true), set_config('role', $2, true)", [
        scope.tenant,
        scope.role,
        scope.unitScope ?? '',
      ]);
    }
    await client.query(`prepare plans_statement as ${line.t}`);
    const args = line.v.length > 0 ? `(${line.v.map((value) => literal(client, value)).join(', ')})` : '';
    const once = async (sql) => {
      await client.query('savepoint plans');
      try {
        return await client.query(sql);
      } finally {
        await client.query('rollback to savepoint plans');
      }
    };
    for (let run = 0; run < 5; run++) await once(`execute plans_statement${args}`);
    const timings = [];
    for (let run = 0; run < runs; run++) {
      // Without per-node timing: its clock reads would cost more than a small statement does.
      const [result] = (await once(`explain (analyze, timing off, format json) execute plans_statement${args}`)).rows[0]['QUERY PLAN'];
      timings.push({ planning: result['Planning Time'] ?? 0, execution: result['Execution Time'] });
    }
    const plan = verbose ? (await once(`explain (analyze, buffers) execute plans_statement${args}`)).rows.map((row) => row['QUERY PLAN']).join('\n') : '';
    return { planning: median(timings.map((t) => t.planning)), execution: median(timings.map((t) => t.execution)), plan };
  } finally {
    await client.query('rollback');
    // A prepared statement outlives the transaction.
    await client.query('deallocate all');
  }
}

const database = await scratchDatabase('plinth_bench_plans');
const scratch = mkdtempSync(path.join(tmpdir(), 'plinth-bench-plans-'));
const servers = [];
try {
  await createBenchItems(database.url, 1000);
  const { plinthEnv } = hostEnvironment(database.url, scratch);
  const all = await startPlinth({ cwd: repo, env: plinthEnv('all', firstPartyPackages) });
  servers.push(all);
  const { members, ids } = await prepare(all, database.url, plinthEnv('all', firstPartyPackages));
  await all.stop();
  servers.length = 0;

  const log = process.env.PLANS_LOG ?? path.join(scratch, 'sql.jsonl');
  writeFileSync(log, '');
  const capture = new URL('./lib/sql-capture.js', import.meta.url).href;
  const api = await startPlinth({
    cwd: repo,
    env: plinthEnv('plans', firstPartyPackages, {
      PLINTH_ROLE: 'api',
      BENCH_SQL_LOG: log,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${capture}`.trim(),
    }),
  });
  servers.push(api);
  const owner = await session(api, { email: 'bench@example.test', password: 'bench-password-4821' });
  const readers = await Promise.all(members.map((member) => session(api, member)));
  let nextReader = 0;
  const memberHeaders = async () => readers[nextReader++ % readers.length]();

  let walk = 0;
  const routes = {
    contact: { label: 'crm: GET /contacts/:id', path: () => `/api/v1/crm/contacts/${ids.contacts[walk++ % ids.contacts.length]}`, headers: owner },
    product: { label: 'shop: GET /products/:id', path: () => `/api/v1/shop/products/${ids.products[walk++ % ids.products.length]}`, headers: owner },
    course: { label: 'lms: GET /courses/:id', path: () => `/api/v1/lms/courses/${ids.courses[walk++ % ids.courses.length]}`, headers: owner },
    list: {
      label: 'crm: GET /contacts?q=…&per_page=20',
      path: () => `/api/v1/crm/contacts?${contactQueries[walk++ % contactQueries.length]}&per_page=20`,
      headers: memberHeaders,
      requests: Math.min(requests, 500),
    },
  };
  const names = Object.keys(routes).filter((name) => !only || only.includes(name));

  // PostgreSQL CPU per request, one request after another, in `rounds` interleaved rounds (medians), and the bare
  // baseline's; the statements of each route are those of its requests in the first round.
  const postgres = await backendCpu(database.url);
  const bare = new pg.Client({ connectionString: database.url });
  await bare.connect();
  const bareRead = (index) => bare.query({ name: 'item-by-id', text: 'select id, name, price from bench_items where id = $1', values: [(index % 1000) + 1] });
  for (let index = 0; index < 200; index++) await bareRead(index);
  for (const name of names) for (let index = 0; index < 50; index++) await get(api, routes[name].path(), await routes[name].headers());
  await sleep(300);
  const cpus = { bare: [] };
  const results = {};
  for (let round = 0; round < rounds; round++) {
    let before = await postgres.snapshot();
    for (let index = 0; index < (requests * 2) / rounds; index++) await bareRead(index);
    cpus.bare.push((await postgres.usedSince(before)) / ((requests * 2) / rounds));
    for (const name of names) {
      const route = routes[name];
      const count = Math.round((route.requests ?? requests) / rounds);
      const from = statSync(log).size;
      before = await postgres.snapshot();
      for (let index = 0; index < count; index++) await get(api, route.path(), await route.headers());
      await sleep(300);
      (cpus[name] ??= []).push((await postgres.usedSince(before)) / count);
      if (round > 0) continue;
      // The scope each connection's session holds when the measured requests begin: set by an earlier request, maybe.
      const scopes = new Map();
      for (const line of linesBetween(log, 0, from)) trackScope(scopes, line);
      results[name] = { lines: linesBetween(log, from), scopes, count };
    }
  }
  await bare.end();
  await postgres.end();
  const bareCpu = median(cpus.bare);
  for (const name of names) results[name].cpu = median(cpus[name]);

  // Replays each route's statements in their scope.
  const replay = new pg.Client({ connectionString: database.url });
  await replay.connect();
  console.log(
    `PostgreSQL work per request: ${counts.contacts} contacts, ${counts.products} products, ${counts.courses} courses; ${requests} requests one after another (${routes.list.requests} for the list page) in ${rounds} interleaved rounds (medians), after 50 of warm-up; statements replayed: up to ${sample} of each text, each explained ${runs} times (medians)`,
  );
  console.log(`bare Koa + pg, select by id: PG CPU ${bareCpu.toFixed(0)} µs/request (1.00×)`);
  const summary = [];
  for (const name of names) {
    const { lines, scopes, cpu, count } = results[name];
    const statements = new Map();
    let protocol = 0;
    for (const line of lines) {
      const kind = kindOf(line);
      if (kind === 'statement') {
        const known = statements.get(line.t) ?? { instances: [], count: 0 };
        known.count++;
        if (known.instances.length < sample) known.instances.push({ line, scope: scopes.get(line.c) });
        statements.set(line.t, known);
      } else protocol++;
      trackScope(scopes, line);
    }
    console.log(
      `\n${routes[name].label}: PG CPU ${cpu.toFixed(0)} µs/request (${(cpu / bareCpu).toFixed(2)}× bare); ${(lines.length / count).toFixed(2)} statements/request, of which ${(protocol / count).toFixed(2)} begin/commit/scope`,
    );
    let total = 0;
    for (const [text, { instances, count: seen }] of statements) {
      const perRequest = seen / count;
      const timings = [];
      let failure;
      for (const { line, scope } of instances) {
        try {
          timings.push(await explain(replay, line, scope));
        } catch (error) {
          failure = error;
        }
      }
      const oneLine = text.replace(/\s+/g, ' ');
      if (timings.length === 0) {
        console.log(`  ${perRequest.toFixed(2)}×  not explained (${failure.message}): ${oneLine.slice(0, 160)}`);
        continue;
      }
      const planning = timings.reduce((sum, t) => sum + t.planning, 0) / timings.length;
      const execution = timings.reduce((sum, t) => sum + t.execution, 0) / timings.length;
      total += (planning + execution) * perRequest;
      const role = instances[0].scope?.role ?? 'session role';
      console.log(
        `  ${perRequest.toFixed(2)}×  plan ${planning.toFixed(3)} ms  run ${execution.toFixed(3)} ms  (mean of ${timings.length})  [${role}${instances[0].scope?.unitScope ? ', unit scope' : ''}]  ${verbose ? oneLine : oneLine.slice(0, 160)}`,
      );
      if (verbose) {
        const slowest = timings.reduce((a, b) => (a.planning + a.execution >= b.planning + b.execution ? a : b));
        console.log(`    the slowest of them:\n${slowest.plan.replace(/^/gm, '      ')}`);
      }
    }
    console.log(`  planning + execution per request: ${total.toFixed(3)} ms`);
    summary.push({ label: routes[name].label, cpu, ratio: cpu / bareCpu, sql: total });
  }
  console.log('\nroute                                      PG CPU µs/req   × bare   SQL ms/req (explained)');
  for (const row of summary)
    console.log(`${row.label.padEnd(42)} ${row.cpu.toFixed(0).padStart(13)}   ${row.ratio.toFixed(2).padStart(6)}   ${row.sql.toFixed(3).padStart(10)}`);
  await replay.end();
} finally {
  await Promise.all(servers.map((server) => server.stop()));
  await database.dispose();
  rmSync(scratch, { recursive: true, force: true });
}
