// Plugin routes benchmark: the product as a host runs it — `plinth start` in production mode with every first-party
// plugin — against the bare Koa + pg baseline, interleaved in one run, on one scratch database on a PostgreSQL
// running on this machine (its backends' CPU time is read from /proc). Seeds one tenant (contacts in bulk; products
// and courses through the HTTP API), signs in, then measures reads by id of a CRM contact, a shop product and an LMS
// course, the kernel's tenant read, a contact list page with a search, and the CRM read with only the CRM installed
// and with 50 plugins installed; then, in rounds of its own, a contact create. Prints the table and the verdicts on
// the targets in README.md (BENCH_JSON=1: the results as JSON instead). Needs `npm run build`; Linux.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { contactQueries } from './lib/crm-contacts.js';
import { inParallel, seedPluginData } from './lib/plugin-seed.js';
import { createBenchItems, postgresCpu, scratchDatabase } from './lib/database.js';
import { call } from './lib/kernel.js';
import { measureAll, row, settings } from './lib/measure.js';
import { benchTenant, enablePlugins, firstParty, firstPartyPackages, hostEnvironment, repo, session, writeGeneratedPlugins } from './lib/plinth-hosts.js';
import { bareTarget, startPlinth } from './lib/server.js';

const { duration, rounds, connections } = settings({ duration: 10, rounds: 3, connections: 50 });
const counts = {
  contacts: Number(process.env.BENCH_CONTACTS ?? 100_000),
  products: Number(process.env.BENCH_PRODUCTS ?? 500),
  courses: Number(process.env.BENCH_COURSES ?? 100),
  members: Number(process.env.BENCH_MEMBERS ?? 200),
};
const items = 1000;

/**
 * `counts.members` members of tenant `bench` (a custom role reading contacts: they are customer data, not a
 * `member`'s by default since issue 19), each invited by the owner and signed up through the
 * invitation. The list page allows each user 300 requests a minute (429 beyond), so its load comes from them all:
 * `headers()` refreshes their sessions when due and returns the tenant header; `request` gives each request the next
 * member's token.
 */
async function crowd(server, ownerHeaders) {
  const member = (await call(server, 'POST', '/api/v1/roles', { name: 'contact-reader', permissions: ['crm.contacts.view'] }, await ownerHeaders())).data;
  const people = await inParallel([...Array(counts.members).keys()], 10, async (index) => {
    const person = { email: `member-${index}@example.test`, password: `member-password-${index}-4821` };
    const invitation = (await call(server, 'POST', '/api/v1/invitations', { email: person.email, roles: [member.id] }, await ownerHeaders())).data;
    const token = new URL(invitation.accept_url).searchParams.get('token');
    await call(server, 'POST', '/api/v1/invitations/accept', { token, name: `Member ${index}`, password: person.password });
    return session(server, person);
  });
  let tokens = [];
  let next = 0;
  return {
    async headers() {
      tokens = await inParallel(people, 10, async (headers) => (await headers()).authorization);
      return { 'x-tenant': 'bench' };
    },
    request: (paths) => rotate(paths, (request) => ({ ...request, headers: { ...request.headers, authorization: tokens[next++ % tokens.length] } })),
  };
}

/**
 * The tenant `bench` with its owner, every first-party plugin enabled and its request quota lifted (by a host
 * administrator: the load far exceeds the default), seeded with contacts (in bulk), products and courses with
 * modules and lessons (through the API), and its members (`crowd`). Returns the owner's `headers()`, the members and
 * ids to read.
 */
async function prepare(plinth, databaseUrl, env) {
  const { tenantId, headers } = await benchTenant(plinth, env, { members: counts.members + 10 });
  // The console is the host's, not a tenant's to enable.
  await enablePlugins(
    plinth,
    headers,
    firstParty.filter((name) => name !== 'console'),
  );

  const ids = await seedPluginData(plinth, databaseUrl, tenantId, headers, counts);
  return { headers, members: await crowd(plinth, headers), ids };
}

/** An autocannon request walking through `paths`; `then` may change each request further. */
function rotate(paths, then = (request) => request) {
  let next = 0;
  return { setupRequest: (request) => then({ ...request, path: paths[next++ % paths.length] }) };
}

/** `prefix/<id>` for each of `ids`. */
const byId = (prefix, ids) => rotate(ids.map((id) => `${prefix}/${id}`));

let created = 0;
const targets = {
  bare: { label: 'bare Koa + pg, select by id (baseline)' },
  tenant: { label: 'kernel: GET /tenant (JWT, tenant, permission)' },
  contact: { label: 'crm: GET /contacts/:id', plugin: true },
  product: { label: 'shop: GET /products/:id', plugin: true },
  course: { label: 'lms: GET /courses/:id (with its outline)', plugin: true },
  search: { label: 'crm: GET /contacts?q=…&per_page=20 (list page)' },
  contactAlone: { label: 'crm: GET /contacts/:id, CRM the only plugin' },
  contact50: { label: 'crm: GET /contacts/:id, 50 plugins installed' },
  // A write leaves background work (event delivery, handlers) that would land on the next target's measurement: it
  // has rounds of its own after the reads, with the baseline again.
  writeBare: { label: 'bare, in the write rounds (its baseline)', write: true },
  create: { label: 'crm: POST /contacts (write)', write: true },
};

const database = await scratchDatabase('plinth_bench_plugins');
const scratch = mkdtempSync(path.join(tmpdir(), 'plinth-bench-plugins-'));
const servers = [];
try {
  await createBenchItems(database.url, items);
  const { run, plinthEnv } = hostEnvironment(database.url, scratch);
  const packages = firstPartyPackages;
  const allEnv = plinthEnv('all', packages);
  const all = await startPlinth({ cwd: repo, env: allEnv });
  servers.push(all);
  const { headers, members, ids } = await prepare(all, database.url, allEnv);
  // The comparison hosts serve requests only: the main host's job worker does the background work.
  const alone = await startPlinth({ cwd: repo, env: plinthEnv('crm', ['@plinth/plugin-crm'], { PLINTH_CONSOLE: 'false', PLINTH_ROLE: 'api' }) });
  servers.push(alone);
  const generated = writeGeneratedPlugins(scratch);
  const fifty = await startPlinth({ cwd: repo, env: plinthEnv('fifty', [...packages, ...generated], { PLINTH_ROLE: 'api' }) });
  servers.push(fifty);
  await enablePlugins(
    fifty,
    headers,
    generated.map((_, index) => `gen-${index}`),
  );

  const contactById = byId('/api/v1/crm/contacts', ids.contacts);
  const plan = {
    bare: bareTarget(database.url, items),
    tenant: { server: all, path: '/api/v1/tenant', headers },
    contact: { server: all, headers, request: contactById },
    product: { server: all, headers, request: byId('/api/v1/shop/products', ids.products) },
    course: { server: all, headers, request: byId('/api/v1/lms/courses', ids.courses) },
    search: { server: all, headers: members.headers, request: members.request(contactQueries.map((query) => `/api/v1/crm/contacts?${query}&per_page=20`)) },
    create: {
      server: all,
      headers: async () => ({ ...(await headers()), 'content-type': 'application/json' }),
      request: {
        method: 'POST',
        path: '/api/v1/crm/contacts',
        setupRequest: (request) => ({ ...request, body: JSON.stringify({ name: `New ${created}`, email: `new-${run}-${created++}@example.test` }) }),
      },
    },
    contactAlone: { server: alone, headers, request: contactById },
    contact50: { server: fifty, headers, request: contactById },
    writeBare: bareTarget(database.url, items),
  };
  const names = Object.keys(targets);
  const postgres = await postgresCpu(database.url);
  const results = {};
  for (const group of [names.filter((name) => !targets[name].write), names.filter((name) => targets[name].write)]) {
    const measured = await measureAll(
      group.map((name) => ({ label: targets[name].label, ...plan[name] })),
      { rounds, duration, connections, postgres },
    );
    for (const [index, name] of group.entries()) results[name] = measured[index];
  }
  const base = results.bare;
  const baseOf = (name) => (targets[name].write ? results.writeBare : base);
  const ratio = (name) => results[name].rps / baseOf(name).rps;
  const plugins = names.filter((name) => targets[name].plugin);
  const rss = Math.max(...names.filter((name) => plan[name].server === all).map((name) => results[name].rssMb));
  const pgRatio = (name) => results[name].pgCpuPerRequest / base.pgCpuPerRequest;
  const cpu50 = results.contact50.cpuPerRequest / results.contactAlone.cpuPerRequest;
  const verdict = (target, value, met) => ({ target, value, met });
  const verdicts = [
    ...plugins.map((name) => verdict(`${name} read ≥ 0.5× bare`, ratio(name), ratio(name) >= 0.5)),
    verdict('kernel tenant read ≥ 0.6× bare', ratio('tenant'), ratio('tenant') >= 0.6),
    verdict('plugin list page ≥ 0.35× bare', ratio('search'), ratio('search') >= 0.35),
    ...plugins.map((name) => verdict(`PostgreSQL CPU per ${name} read ≤ 1.5× bare's`, pgRatio(name), pgRatio(name) <= 1.5)),
    verdict('server CPU per request, 50 plugins installed ≤ 1.03× one', cpu50, cpu50 <= 1.03),
    verdict('RSS under load (MB), every first-party plugin < 200', rss, rss < 200),
  ];
  if (process.env.BENCH_JSON) {
    const withRatios = Object.fromEntries(names.map((name) => [name, { label: targets[name].label, ...results[name], ratio: ratio(name) }]));
    const json = { settings: { duration, rounds, connections, ...counts }, results: withRatios, verdicts };
    console.log(JSON.stringify(json, null, 2));
  } else {
    console.log(
      `plugin routes: plinth start (production, every first-party plugin) vs bare Koa + pg; ${connections} connections, ${rounds} interleaved rounds of ${duration} s per target (medians); ${counts.contacts} contacts, ${counts.products} products, ${counts.courses} courses${process.env.BENCH_HOST_NODE_OPTIONS ? `; hosts with NODE_OPTIONS=${process.env.BENCH_HOST_NODE_OPTIONS}` : ''}`,
    );
    for (const name of names) console.log(row(targets[name].label, results[name], baseOf(name), { width: 50 }));
    for (const verdict of verdicts) console.log(`${verdict.met ? 'met   ' : 'missed'}  ${verdict.target}: ${verdict.value.toFixed(2)}`);
  }
} finally {
  await Promise.all(servers.map((server) => server.stop()));
  await database.dispose();
  rmSync(scratch, { recursive: true, force: true });
}
