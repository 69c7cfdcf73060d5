import bioSites from '@plinth/plugin-bio-sites';
import consolePlugin from '@plinth/plugin-console';
import crm from '@plinth/plugin-crm';
import integrations from '@plinth/plugin-integrations';
import lms from '@plinth/plugin-lms';
import payments from '@plinth/plugin-payments';
import shop from '@plinth/plugin-shop';
import { writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, signUp, type TestKernel, type TestResponse, type TestUser } from '../../src/testing/index.js';
import { asSystem } from '../isolation/fixtures.js';
import { bodilessCases, bodyCases, prng, sampleValue, type Case, type IdPool, type Schema, uuidPattern } from './fuzz-inputs.js';

// Every operation of the served OpenAPI document, with every first-party plugin enabled, signed in as the
// tenant's owner (a host administrator too, so /admin runs): hostile params, queries and bodies must all be
// answered 4xx with the error envelope, never 5xx. The seed is printed; PLINTH_FUZZ_SEED=<n> runs another,
// PLINTH_FUZZ_TRACE=<file> writes every request with its answer there.
const SEED = Number(process.env.PLINTH_FUZZ_SEED ?? 150_001);
const random = prng(SEED);

interface Operation {
  method: string;
  template: string;
  pathParams: { name: string; schema: Schema }[];
  queryParams: { name: string; schema: Schema }[];
  body: Schema | undefined;
}

let t: TestKernel;
let owner: TestUser;
let headers: Record<string, string>;
let tenantId: string;
let operations: Operation[];
const pool: IdPool = new Map();
/** What the kernel logged for each failed request (by request id), to name the cause of a 5xx. */
const logged = new Map<string, string>();
const logSink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      const entry = JSON.parse(line) as { requestId?: string; err?: { type?: string; message?: string; code?: string } };
      if (entry.requestId && entry.err)
        logged.set(entry.requestId, `${entry.err.type ?? 'Error'}${entry.err.code ? ` ${entry.err.code}` : ''}: ${entry.err.message ?? ''}`);
    }
    done();
  },
});

beforeAll(async () => {
  t = await createTestKernel({ plugins: [payments, shop, crm, lms, bioSites, integrations, consolePlugin], logger: pino({ level: 'error' }, logSink) });
  owner = await signUp(t, { tenant: true });
  tenantId = owner.tenant!.id;
  await asSystem(t, (db) => db.query('update users set is_super_admin = true where id = $1', [owner.id]));
  await t.kernel.services.identity.forget(owner.id);
  // The tenant's id, not its slug: a fuzzed PATCH /tenant may change the slug.
  headers = { authorization: owner.headers.authorization!, 'x-tenant': tenantId };
  for (const plugin of ['payments', 'shop', 'crm', 'lms', 'bio-sites', 'integrations']) await t.enable({ headers }, plugin);
  const document = await t.request('GET', '/api/v1/openapi.json', { headers });
  expect(document.status).toBe(200);
  operations = operationsOf(document.body as { paths: Record<string, Record<string, OpenApiOperation>> });
  // Root pages that exist, so the hostile variants of their paths are near misses.
  await t.request('POST', '/api/v1/bio-sites/sites', { headers, body: { slug: 'fuzz-site', title: 'Fuzz', status: 'published' } });
}, 120_000);
afterAll(async () => {
  await t?.close();
});

interface OpenApiOperation {
  parameters?: { name: string; in: string; schema: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}

function operationsOf(document: { paths: Record<string, Record<string, OpenApiOperation>> }): Operation[] {
  return Object.entries(document.paths).flatMap(([template, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      method: method.toUpperCase(),
      template,
      pathParams: (operation.parameters ?? []).filter((parameter) => parameter.in === 'path'),
      queryParams: (operation.parameters ?? []).filter((parameter) => parameter.in === 'query'),
      body: operation.requestBody?.content['application/json']?.schema,
    })),
  );
}

/** The collection a path parameter names: the literal segment before it (`/shop/products/{id}` → `products`). */
function collectionOf(template: string, param: string): string {
  const segments = template.split('/');
  const index = segments.indexOf(`{${param}}`);
  return (
    segments
      .slice(0, index)
      .reverse()
      .find((segment) => !segment.startsWith('{')) ?? ''
  );
}

function paramValue(operation: Operation, name: string, schema: Schema): string {
  if (name === 'tenant') return tenantId;
  // Never the name of an enabled plugin where the route could disable it or purge its data.
  if (name === 'plugin') return operation.method === 'GET' || /\/(enable|settings)$/.test(operation.template) ? 'crm' : 'no-such-plugin';
  const ids = (pool.get(`${collectionOf(operation.template, name)}:${name}`) ?? pool.get(collectionOf(operation.template, name)))?.filter(
    (id) => schema.format !== 'uuid' || uuidPattern.test(id),
  );
  if (ids && ids.length > 0 && random.next() < 0.95) return random.pick(ids);
  return encodeURIComponent(String(sampleValue(schema, random, pool, name)));
}

function pathOf(operation: Operation, override?: { name: string; value: string }): string {
  let path = operation.template;
  for (const { name, schema } of operation.pathParams) {
    path = path.replace(`{${name}}`, override?.name === name ? override.value : paramValue(operation, name, schema));
  }
  return path;
}

/** Remembers what a create answered (`id`, and `token`/`slug`/`code` when there), for later path parameters. */
function remember(operation: Operation, answer: TestResponse): void {
  if (operation.method !== 'POST' || answer.status !== 201 || typeof answer.body?.data !== 'object' || answer.body.data === null) return;
  const collection =
    operation.template
      .split('/')
      .reverse()
      .find((segment) => !segment.startsWith('{')) ?? '';
  for (const field of ['id', 'token', 'slug', 'code']) {
    const value = answer.body.data[field];
    if (typeof value !== 'string') continue;
    const key = field === 'id' ? collection : `${collection}:${field}`;
    pool.set(key, [...(pool.get(key) ?? []), value].slice(-20));
  }
}

function isEnvelope(answer: TestResponse): boolean {
  const body = answer.body;
  return (
    typeof body === 'object' &&
    body !== null &&
    body.success === false &&
    typeof body.code === 'string' &&
    typeof body.message === 'string' &&
    typeof body.meta?.request_id === 'string'
  );
}

const summary = (value: unknown) => {
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? null);
  return text.length > 120 ? `${text.slice(0, 120)}… (${text.length} chars)` : text;
};

/** Path parameter values that name nothing (or would break a query): 404 or 422. */
const badIds = ['not-a-uuid', '%00', 'x'.repeat(3000), '%ED%A0%80', '..%2F..%2Fetc', '1e309'];
const badPages = ['page=1e309', 'per_page=1e309', 'per_page=-1', 'page=2147483648', 'page=NaN&per_page=Infinity'];
const badQueryValues = ['a%00b', '1e309', 'x'.repeat(5000), '%ED%A0%80'];

/** The bad query strings for one operation: pagination, then a sample of its own parameters. */
function queryCases(operation: Operation, paginated: boolean): Case[] {
  const cases: Case[] = paginated ? badPages.map((query) => ({ label: query, query })) : [];
  for (const { name } of random.sample(operation.queryParams, 3)) {
    for (const value of badQueryValues) cases.push({ label: `${name}=${summary(value)}`, query: `${name}=${value}` });
    cases.push({ label: `${name} twice`, query: `${name}=a&${name}=b` });
  }
  cases.push({ label: 'NUL in a query key', query: 'a%00b=1' }, { label: '__proto__ in the query', query: '__proto__=1&constructor=2' });
  return cases;
}

/** Pages served at the site root, public lookups by slug and static files, with NUL and broken segments. */
const rootPaths = (tenant: string) => [
  '/b/%00',
  '/b/fuzz-site%00',
  '/b/%00/l/%00',
  '/b/fuzz-site/l/%00',
  '/s/%00',
  '/s/a%00b',
  '/b/%ED%A0%80',
  '/b/fuzz-site?subscribed=%00',
  `/b/${'x'.repeat(5000)}`,
  '/api/v1/shop/store/products/%00',
  '/api/v1/lms/certificates/verify/%00',
  `/api/v1/lms/verify/${tenant}/%00`,
  '/api/v1/crm/t/%00/o/%00',
  '/%00',
  '/api/v1/%00',
  '/web/%00',
  '/assets/%00',
  '/index.html%00',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/api/v1/openapi.json%00',
];

describe('the API under hostile input', () => {
  it('answers every operation 4xx with the error envelope, never 5xx', { timeout: 300_000 }, async () => {
    const failures: string[] = [];
    const notEnvelopes: string[] = [];
    const statuses = new Map<number, number>();
    const trace: string[] = [];
    let requests = 0;

    const send = async (operation: Operation, label: string, path: string, body?: unknown) => {
      const answer = await t.request(operation.method, path, { headers, ...(body === undefined ? {} : { body }) });
      requests += 1;
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      const request = `${answer.status} ${operation.method} ${summary(path)} [${label}${body === undefined ? '' : `: ${summary(body)}`}]`;
      if (answer.status >= 500) failures.push(`${request} → ${logged.get(answer.body?.meta?.request_id) ?? summary(answer.body)}`);
      // Root pages (`/b/…`, `/s/…`) answer a miss with their own HTML page; every API answer is the envelope.
      else if (answer.status >= 400 && path.startsWith('/api/') && !isEnvelope(answer)) notEnvelopes.push(`${request} → ${summary(answer.body)}`);
      remember(operation, answer);
      // What was deleted is no longer a good id for later operations.
      if (operation.method === 'DELETE' && answer.status < 300)
        for (const [key, ids] of pool)
          pool.set(
            key,
            ids.filter((id) => !path.includes(id)),
          );
      if (process.env.PLINTH_FUZZ_TRACE) trace.push(`${request} ${summary(answer.body?.errors ?? answer.body?.code ?? '')}`);
    };

    for (const operation of operations) {
      const paginated = operation.queryParams.some((parameter) => parameter.name === 'page');
      const valid = (extreme = false) => (operation.body ? (sampleValue(operation.body, random, pool, '', 0, extreme) as Record<string, unknown>) : undefined);

      // A few valid-looking requests first, so deeper code runs (and creates ids for later path parameters).
      for (let index = 0; index < (operation.body ? 3 : 1); index++) {
        await send(operation, 'valid-looking', `${pathOf(operation)}${paginated ? '?page=1&per_page=5' : ''}`, valid());
      }
      if (operation.body) await send(operation, 'valid-looking, numbers at their maximum', pathOf(operation), valid(true));

      for (const { name } of random.sample(operation.pathParams, 1)) {
        for (const bad of badIds) await send(operation, `path ${name}=${summary(bad)}`, pathOf(operation, { name, value: bad }), valid());
      }

      const path = pathOf(operation);
      for (const { label, query } of queryCases(operation, paginated)) await send(operation, `query ${label}`, `${path}?${query}`, valid());

      if (operation.body) {
        for (const { label, body } of bodyCases(operation.body, valid() ?? {}, random)) await send(operation, `body ${label}`, path, body);
      } else if (['POST', 'PUT', 'PATCH', 'DELETE'].includes(operation.method)) {
        for (const { label, body } of bodilessCases) await send(operation, `body ${label}`, path, body);
      }
    }

    const root: Operation = { method: 'GET', template: '/', pathParams: [], queryParams: [], body: undefined };
    for (const path of rootPaths(tenantId)) await send(root, 'root path', path);
    await send({ ...root, method: 'POST' }, 'root subscribe', '/b/%00/subscribe', { email: 'a@example.test' });

    if (process.env.PLINTH_FUZZ_TRACE) writeFileSync(process.env.PLINTH_FUZZ_TRACE, trace.join('\n'));
    const counted = [...statuses.entries()].sort(([a], [b]) => a - b).map(([status, count]) => `${status}×${count}`);
    console.log(`fuzz: seed ${SEED}; ${operations.length} operations, ${requests} requests, ${failures.length} 5xx; statuses ${counted.join(' ')}`);
    expect(failures).toEqual([]);
    expect(notEnvelopes).toEqual([]);
    // The run stayed signed in as the owner, so the operations after the first were not all 401s.
    expect((await t.request('GET', '/api/v1/me', { headers })).status).toBe(200);
  });

  it('left no polluted prototype behind', () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
