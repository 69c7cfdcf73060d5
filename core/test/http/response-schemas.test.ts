import { Writable } from 'node:stream';
import { definePermissions, definePlugin, Reply, Type } from '@plinth/sdk';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NoContent, rawBody, withStatus } from '../../src/http/response-schemas.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';

const logLines: Record<string, unknown>[] = [];
const logSink = new Writable({
  write(chunk: Buffer, _encoding, callback) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(line) as Record<string, unknown>);
    callback();
  },
});

const permissions = definePermissions('answers', { 'answers.view': { description: 'Read answers', grantTo: ['admin'] } });
const Thing = Type.Object({ id: Type.String(), seen_at: Type.String({ format: 'date-time' }) }, { additionalProperties: false });
const view = permissions['answers.view'];

/** Routes whose handlers keep or break the promise of their response schema. */
const answersPlugin = definePlugin({
  name: 'answers',
  version: '1.0.0',
  title: 'Answers',
  description: 'Answers that keep or break their schema',
  category: 'test',
  requires: { core: '^0.1.0' },
  deps: {},
  permissions,
  routes: ({ route }) => [
    route({
      method: 'GET',
      path: '/kept',
      summary: 'Kept',
      permission: view,
      schema: { response: Thing },
      // A Date, as pg returns a timestamp column, is sent as a string: the check sees the data as the client does.
      handler: async () => ({ id: 'a', seen_at: new Date() as unknown as string }),
    }),
    route({
      method: 'GET',
      path: '/broken',
      summary: 'Broken',
      permission: view,
      schema: { response: Thing },
      handler: async () => ({ id: 7, seen_at: 'yesterday', extra: true }) as never,
    }),
    route({
      method: 'GET',
      path: '/list',
      summary: 'List',
      permission: view,
      schema: { response: Type.Array(Thing) },
      handler: async () => Reply.list([{ id: 'a', seen_at: new Date().toISOString() }], { page: 1, per_page: 20, total: 1, total_pages: 1 }),
    }),
    route({
      method: 'POST',
      path: '/created',
      summary: 'Created',
      permission: view,
      schema: { response: withStatus(Thing, 201) },
      handler: async () => Reply.created({ id: 'b', seen_at: new Date().toISOString() }),
    }),
    route({
      method: 'POST',
      path: '/undocumented-status',
      summary: 'Created, said 200',
      permission: view,
      schema: { response: Thing },
      handler: async () => Reply.created({ id: 'b', seen_at: new Date().toISOString() }),
    }),
    route({ method: 'DELETE', path: '/gone', summary: 'Gone', permission: view, schema: { response: NoContent }, handler: async () => Reply.noContent() }),
    route({
      method: 'GET',
      path: '/csv',
      summary: 'CSV',
      permission: view,
      schema: { response: rawBody('text/csv', 'The rows') },
      handler: async () => Reply.raw('a,b\n', { contentType: 'text/csv' }),
    }),
  ],
});

let t: TestKernel;
let owner: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [answersPlugin], logger: pino({ level: 'error' }, logSink) });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'answers');
});
afterAll(() => t.close());

const call = (method: string, path: string) => t.request(method, `/api/v1/answers${path}`, { headers: owner.headers });

describe('answers under the test kit', () => {
  it('pass when the data matches the response schema, Dates included', async () => {
    const kept = await call('GET', '/kept');
    expect(kept.status).toBe(200);
    expect(kept.body.data).toEqual({ id: 'a', seen_at: expect.any(String) });
    const list = await call('GET', '/list');
    expect([list.status, list.body.meta.pagination.total]).toEqual([200, 1]);
    expect((await call('POST', '/created')).status).toBe(201);
    expect((await call('DELETE', '/gone')).status).toBe(204);
  });

  it('fail loudly when the data does not match: a 500, logged naming the route and what differs', async () => {
    const broken = await call('GET', '/broken');
    expect([broken.status, broken.body.code]).toEqual([500, 'internal_error']);
    const logged = logLines.find((line) => line.requestId === broken.body.meta.request_id);
    const message = (logged?.err as { message?: string } | undefined)?.message;
    expect(message).toContain('plugin `answers`: route GET /answers/broken answered data that does not match its response schema');
    expect(message).toContain('data/id must be string');
    expect(message).toContain('data/seen_at must match format "date-time"');
    expect(message).toContain('must NOT have additional properties (extra)');
  });

  it('fail loudly on a status the schema does not document', async () => {
    const answer = await call('POST', '/undocumented-status');
    expect(answer.status).toBe(500);
    const logged = logLines.find((line) => line.requestId === answer.body.meta.request_id);
    expect((logged?.err as { message?: string } | undefined)?.message).toBe(
      'plugin `answers`: route POST /answers/undocumented-status answered 201, but its response schema documents 200 (declare it with `withStatus(schema, 201)` from @plinth/sdk)',
    );
  });

  it('leave bodies outside the envelope alone', async () => {
    const csv = await call('GET', '/csv');
    expect([csv.status, csv.headers.get('content-type'), csv.body]).toEqual([200, 'text/csv', 'a,b\n']);
  });
});
