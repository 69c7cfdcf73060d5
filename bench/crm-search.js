// CRM contact search benchmark: GET /api/v1/crm/contacts?q=…&per_page=20 over 100,000 contacts (BENCH_CONTACTS) of one
// tenant, through the full request path (JWT, tenant, permission, RLS transaction), reporting PostgreSQL CPU per
// request for each kind of search, then requests/s, p50/p99 latency and PostgreSQL CPU per request under load.
// The list allows each user 300 requests a minute, so the load comes from BENCH_MEMBERS members (default 100), a
// different one's token on each request. Needs `npm run build`; uses DATABASE_URL when set (its PostgreSQL must run on
// this machine for the CPU figures), otherwise an embedded PostgreSQL in a temporary folder.
import { performance } from 'node:perf_hooks';
import crm from '@plinth/plugin-crm';
import { postgresCpu, scratchDatabase } from './lib/database.js';
import { benchTenant, call, exitAfterWorker, startKernel } from './lib/kernel.js';
import { contactQueries as queries, seedContacts } from './lib/crm-contacts.js';
import { load, median, settings } from './lib/measure.js';

const { duration, connections } = settings({ duration: 10, connections: 10 });
const contacts = Number(process.env.BENCH_CONTACTS ?? 100_000);
const members = Number(process.env.BENCH_MEMBERS ?? 100);
const listPath = (query) => `/api/v1/crm/contacts?${query}&per_page=20`;

/** The kind of a search of `crm-contacts.js`, for the figures per kind. */
function kindOf(query) {
  if (query.includes('&')) return 'word with tag, score bound, score sort';
  if (query.startsWith('q=company')) return 'company prefix';
  if (query.includes('.')) return 'first.last (two words)';
  return 'first name or surname prefix';
}

/** Runs `task` on each of `values`, `width` at a time. */
async function inParallel(values, width, task) {
  const results = [];
  for (let start = 0; start < values.length; start += width) results.push(...(await Promise.all(values.slice(start, start + width).map(task))));
  return results;
}

/** `members` members of the tenant (a role holding `crm.contacts.view`), invited by the owner and signed up; returns their bearer tokens. */
async function crowd(kernel, tenant) {
  const { knex } = kernel.services.database;
  await knex.raw(`update tenants set quotas = quotas || ?::jsonb where id = ?`, [JSON.stringify({ members: members + 10 }), tenant.id]);
  // Contacts are not a member's by default (customer data): the members get a role that reads them.
  const member = (await call(kernel, 'POST', '/api/v1/roles', { name: 'contact-reader', permissions: ['crm.contacts.view'] }, tenant.headers)).data;
  return inParallel([...Array(members).keys()], 10, async (index) => {
    const person = { email: `member-${index}@example.test`, password: `member-password-${index}-4821` };
    const invitation = (await call(kernel, 'POST', '/api/v1/invitations', { email: person.email, roles: [member.id] }, tenant.headers)).data;
    const token = new URL(invitation.accept_url).searchParams.get('token');
    await call(kernel, 'POST', '/api/v1/invitations/accept', { token, name: `Member ${index}`, password: person.password });
    const { data } = await call(kernel, 'POST', '/api/v1/auth/login', person);
    return `Bearer ${data.tokens.access_token}`;
  });
}

/** A kernel with the CRM enabled for the bench tenant, whose contacts are seeded; returns it, the owner's headers and the members' tokens. */
async function prepare(databaseUrl) {
  const kernel = await startKernel(databaseUrl, { plugins: [crm] });
  const tenant = await benchTenant(kernel);
  await call(kernel, 'POST', '/api/v1/marketplace/crm/enable', {}, tenant.headers);
  await seedContacts(databaseUrl, tenant.id, contacts);
  return { kernel, headers: tenant.headers, tokens: await crowd(kernel, tenant) };
}

let counter = 0;
/** Loads the search route with the queries in turn, each request as the next member. */
const search = (kernel, headers, tokens, seconds) =>
  load(kernel.url, {
    seconds,
    connections,
    headers: { 'x-tenant': headers['x-tenant'] },
    request: {
      setupRequest: (request) => ({
        ...request,
        path: listPath(queries[counter % queries.length]),
        headers: { ...request.headers, authorization: tokens[counter++ % tokens.length] },
      }),
    },
  });

/** Each kind of search alone, its queries `repeat` times one after the other: PostgreSQL CPU and wall time per request. */
async function perKind(kernel, tokens, postgres, repeat) {
  const kinds = new Map();
  for (const query of queries) kinds.set(kindOf(query), [...(kinds.get(kindOf(query)) ?? []), query]);
  let next = 0;
  for (const [kind, ofKind] of kinds) {
    const before = postgres?.snapshot();
    const times = [];
    for (let round = 0; round < repeat; round++) {
      for (const query of ofKind) {
        const started = performance.now();
        const response = await fetch(`${kernel.url}${listPath(query)}`, { headers: { authorization: tokens[next++ % tokens.length], 'x-tenant': 'bench' } });
        if (response.status !== 200) throw new Error(`${query}: ${response.status} ${await response.text()}`);
        await response.arrayBuffer();
        times.push(performance.now() - started);
      }
    }
    const pg = postgres ? `PG ${(postgres.usedSince(before) / times.length).toFixed(0).padStart(6)} µs/req` : '';
    console.log(
      `  ${kind.padEnd(40)} ${String(ofKind.length).padStart(3)} queries   ${pg}   median ${median(times).toFixed(1)} ms   max ${Math.max(...times).toFixed(0)} ms`,
    );
  }
}

const database = await scratchDatabase('plinth_bench_crm');
try {
  const { kernel, headers, tokens } = await prepare(database.url);
  const postgres = await postgresCpu(database.url).catch(() => undefined);
  try {
    const sample = await call(kernel, 'GET', '/api/v1/crm/contacts?q=ada', undefined, headers);
    console.log(
      `crm search: ${contacts} contacts, ${queries.length} rotating queries (e.g. q=ada matches ${sample.meta.pagination.total}), ${members} members, ${connections} connections, ${duration} s`,
    );
    await perKind(kernel, tokens, postgres, 1); // warm-up: plans, caches
    console.log('each kind alone (its queries 3 times in turn):');
    await perKind(kernel, tokens, postgres, 3);
    await search(kernel, headers, tokens, 2);
    const before = postgres?.snapshot();
    const result = await search(kernel, headers, tokens, duration);
    const pg = postgres ? `   PG ${(postgres.usedSince(before) / (result.rps * duration)).toFixed(0)} µs/req` : '';
    console.log(`GET /api/v1/crm/contacts?q=…  ${result.rps.toFixed(0)} req/s   p50 ${result.p50} ms   p99 ${result.p99} ms   max ${result.max} ms${pg}`);
  } finally {
    await kernel.stop();
  }
} finally {
  await database.dispose();
}
exitAfterWorker();
