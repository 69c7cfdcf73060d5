import bioSites from '@plinth/plugin-bio-sites';
import { PageQuery, Type } from '@plinth/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineRoute, Reply } from '../../src/index.js';
import { INT4_RANGE, withColumnBounds } from '../../src/http/validation.js';
import { createTestKernel, signUp, type TestKernel, type TestResponse, type TestUser } from '../../src/testing/index.js';

// Issue 15, "Bad input": hostile input is a 4xx naming what is wrong, never a 500 (fuzz.test.ts sends it to
// every operation; these are the cases one by one).
const Measured = Type.Object(
  {
    count: Type.Integer(),
    weight_grams: Type.Optional(Type.Integer({ minimum: 0 })),
    big: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
    ratio: Type.Optional(Type.Number()),
    name: Type.Optional(Type.String()),
    labels: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { additionalProperties: false },
);

let t: TestKernel;
let owner: TestUser;
beforeAll(async () => {
  t = await createTestKernel({
    plugins: [bioSites],
    routes: [
      defineRoute({
        method: 'POST',
        path: '/test/measured',
        summary: 'Echoes a body with integers, numbers and a free-form map',
        errors: [],
        public: true,
        schema: { body: Measured },
        handler: async ({ body }) => Reply.created(body),
      }),
      defineRoute({
        method: 'GET',
        path: '/test/list',
        summary: 'A list with a search and a number in its query',
        errors: [],
        public: true,
        schema: { query: Type.Composite([PageQuery, Type.Object({ q: Type.Optional(Type.String()), near: Type.Optional(Type.Number()) })]) },
        handler: async ({ query }) => query,
      }),
      defineRoute({
        method: 'POST',
        path: '/test/text',
        summary: 'Takes plain text',
        errors: [],
        public: true,
        body: { types: ['text/plain'], limitBytes: 1024 },
        handler: async ({ ctx }) => ({ length: String(ctx.request.body).length }),
      }),
    ],
  });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'bio-sites');
  const site = await t.request('POST', '/api/v1/bio-sites/sites', {
    headers: owner.headers,
    body: { slug: 'bad-input', title: 'Bad input', status: 'published' },
  });
  expect(site.status).toBe(201);
});
afterAll(async () => {
  await t?.close();
});

/** POSTs raw JSON text (what JSON.stringify cannot write: `1e309`, duplicate or `__proto__` keys). */
const postRaw = (path: string, json: string, headers: Record<string, string> = {}) =>
  t.request('POST', `/api/v1${path}`, { headers: { 'content-type': 'application/json', ...headers }, body: json });

function expectRefused(response: TestResponse, field: string, message: RegExp): void {
  expect(response.status, JSON.stringify(response.body)).toBe(422);
  expect(response.body).toMatchObject({ success: false, code: 'validation_failed', meta: { request_id: expect.any(String) } });
  expect(response.body.errors[field], JSON.stringify(response.body.errors)).toEqual([expect.stringMatching(message)]);
}

describe('__proto__ and constructor keys', () => {
  it.each(['/auth/login', '/auth/register', '/auth/refresh'])('are a 422 on the anonymous %s, not a 500', async (path) => {
    expectRefused(await postRaw(path, '{"__proto__":{"polluted":true}}'), '__proto__', /is not allowed/);
    const constructor = await postRaw(path, '{"constructor":{"prototype":{"polluted":true}}}');
    expect(constructor.status).toBe(422);
    expect(constructor.body.errors.constructor).toEqual(['is not allowed']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('are plain data in a free-form map, except __proto__, which no body may carry', async () => {
    const plain = await postRaw('/test/measured', '{"count":1,"labels":{"constructor":"c","toString":"t","hasOwnProperty":"h"}}');
    expect(plain.status).toBe(201);
    expect(plain.body.data.labels).toEqual({ constructor: 'c', toString: 't', hasOwnProperty: 'h' });
    expectRefused(await postRaw('/test/measured', '{"count":1,"labels":{"__proto__":{"polluted":"yes"}}}'), 'labels.__proto__', /is not allowed/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('the NUL character', () => {
  it('in a body string is a 422 naming the field', async () => {
    const register = await t.request('POST', '/api/v1/auth/register', {
      body: { email: 'nul@example.test', password: 'Pl1nth-nul-password', name: 'a\u0000b' },
    });
    expectRefused(register, 'name', /NUL character/);
    expectRefused(await t.request('POST', '/api/v1/test/measured', { body: { count: 1, labels: { note: 'x\u0000' } } }), 'labels.note', /NUL/);
  });

  it('in an object key is a 422 naming the key', async () => {
    expectRefused(await postRaw('/test/measured', '{"count":1,"labels":{"a\\u0000b":"x"}}'), 'labels.a\u0000b', /NUL/);
  });

  it('in a query string is a 422 naming the parameter', async () => {
    expectRefused(await t.request('GET', '/api/v1/test/list?q=a%00b'), 'q', /NUL/);
    expectRefused(await t.request('GET', '/api/v1/members?q=%00', { headers: owner.headers }), 'q', /NUL/);
  });

  it('in a path segment is a 404, on API and root routes alike', async () => {
    for (const path of ['/api/v1/roles/%00', '/api/v1/bio-sites/sites/a%00b', '/b/%00', '/b/bad-input%00', '/s/%00', '/b/bad-input/l/%00']) {
      const response = await t.request('GET', path, { headers: owner.headers });
      expect(response.status, path).toBe(404);
    }
    expect((await t.request('GET', '/b/bad-input')).status).toBe(200);
  });

  it('in a text body is a 422', async () => {
    const response = await t.request('POST', '/api/v1/test/text', { headers: { 'content-type': 'text/plain' }, body: 'a\u0000b' });
    expectRefused(response, 'body', /NUL/);
  });

  it('has a sibling: a lone surrogate (PostgreSQL refuses it in JSON) is a 422 too', async () => {
    expectRefused(await postRaw('/test/measured', '{"count":1,"name":"a\\ud800b"}'), 'name', /well-formed Unicode/);
  });
});

describe('non-finite numbers', () => {
  it.each(['page=1e309', 'per_page=1e309', 'page=-1e309'])('%s is a 422 naming the parameter', async (query) => {
    const name = query.split('=')[0]!;
    const response = await t.request('GET', `/api/v1/test/list?${query}`);
    expect(response.status).toBe(422);
    expect(Object.keys(response.body.errors)).toEqual([name]);
    expect((await t.request('GET', `/api/v1/roles?${query}`, { headers: owner.headers })).status).toBe(422);
  });

  it('a number parameter coerced to Infinity is a 422', async () => {
    expectRefused(await t.request('GET', '/api/v1/test/list?near=1e309'), 'near', /finite/);
    expect((await t.request('GET', '/api/v1/test/list?near=-12.5')).body.data.near).toBe(-12.5);
  });

  it('1e309 in a JSON body (JSON.parse reads it as Infinity) is a 422', async () => {
    expectRefused(await postRaw('/test/measured', '{"count":1e309}'), 'count', /finite/);
    expectRefused(await postRaw('/test/measured', '{"count":1,"ratio":-1e309}'), 'ratio', /finite/);
  });

  it('page has a ceiling', async () => {
    expectRefused(await t.request('GET', '/api/v1/test/list?page=100001'), 'page', /must be <= 100000/);
    expect((await t.request('GET', '/api/v1/test/list?page=100000')).status).toBe(200);
  });
});

describe('integers larger than their column', () => {
  it('an integer without bounds of its own holds what an int4 column holds', async () => {
    expectRefused(await postRaw('/test/measured', '{"count":2147483648}'), 'count', /must be <= 2147483647/);
    expectRefused(await postRaw('/test/measured', '{"count":-2147483649}'), 'count', /must be >= -2147483648/);
    expectRefused(await postRaw('/test/measured', '{"count":1,"weight_grams":1e308}'), 'weight_grams', /must be <= 2147483647/);
    expect((await postRaw('/test/measured', '{"count":2147483647,"weight_grams":0}')).status).toBe(201);
  });

  it('an integer with bounds of its own (a bigint column) keeps them', async () => {
    expect((await postRaw('/test/measured', '{"count":1,"big":1099511627776}')).status).toBe(201);
    expectRefused(await postRaw('/test/measured', '{"count":1,"big":1e16}'), 'big', /must be <= 9007199254740991/);
  });

  it('in a query string too', async () => {
    expectRefused(await t.request('GET', '/api/v1/test/list?page=2147483648'), 'page', /must be <=/);
  });

  it('withColumnBounds documents the same bounds, leaving the route schema untouched', () => {
    const bounded = withColumnBounds(Measured);
    expect(bounded.properties.count).toMatchObject({ type: 'integer', ...INT4_RANGE });
    expect(bounded.properties.weight_grams).toMatchObject({ minimum: 0, maximum: INT4_RANGE.maximum });
    expect(bounded.properties.big).toMatchObject({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
    expect(bounded.properties.ratio).not.toHaveProperty('maximum');
    expect(Measured.properties.count).not.toHaveProperty('maximum');
    expect(withColumnBounds(Measured)).toBe(bounded);
  });
});

describe('deep nesting', () => {
  it.each([1_000, 100_000])('%i levels are a 422, not a stack overflow', async (depth) => {
    const response = await postRaw('/test/measured', `{"count":1,"labels":${'['.repeat(depth)}${']'.repeat(depth)}}`);
    expectRefused(response, 'labels', /must not nest deeper than 64 levels/);
  });
});
