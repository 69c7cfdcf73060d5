import { Writable } from 'node:stream';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, RateLimitedError, UnauthenticatedError, ValidationError } from '@plinth/sdk';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineRoute, Reply, respond } from '../../src/index.js';
import { createTestKernel, type TestKernel } from '../../src/testing/index.js';

const logLines: Record<string, unknown>[] = [];
const logSink = new Writable({
  write(chunk: Buffer, _encoding, callback) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(line) as Record<string, unknown>);
    callback();
  },
});

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel({
    env: { PLINTH_BODY_LIMIT: '2kb' },
    routes: [
      defineRoute({
        method: 'POST',
        path: '/test/echo',
        summary: 'Echo',
        errors: [],
        public: true,
        handler: async ({ ctx }) => Reply.created(ctx.request.body),
      }),
    ],
    logger: pino({ level: 'error' }, logSink),
    beforeStart(kernel) {
      const router = kernel.apiRouter;
      router.get('/test/bad-header', () => {
        throw new BadRequestError('X-Thing header is malformed');
      });
      router.get('/test/unauthenticated', () => {
        throw new UnauthenticatedError();
      });
      router.get('/test/forbidden', () => {
        throw new ForbiddenError('Missing permission crm.contacts.view');
      });
      router.get('/test/missing', () => {
        throw new NotFoundError('Contact not found');
      });
      router.get('/test/conflict', () => {
        throw new ConflictError('Email already taken');
      });
      router.get('/test/invalid', () => {
        throw new ValidationError({ email: ['must be a valid email'], 'address.zip': ['is required'] });
      });
      router.get('/test/limited', () => {
        throw new RateLimitedError(42);
      });
      router.get('/test/crash', () => {
        throw new Error('connect to postgres://admin:hunter2@db failed: select * from secrets');
      });
      router.get('/test/sql', async (ctx) => {
        await kernel.services.database.knex.raw('select * from no_such_table_for_the_test');
        respond(ctx, 'unreachable');
      });
    },
  });
});
afterAll(() => t.close());

function expectEnvelope(body: { success: boolean; code: string; message: string; meta: { request_id: string } }, code: string) {
  expect(body.success).toBe(false);
  expect(body.code).toBe(code);
  expect(typeof body.message).toBe('string');
  expect(body.meta.request_id).toBeTruthy();
}

describe('status ↔ code table', () => {
  it('400 bad_request for malformed JSON', async () => {
    const response = await t.request('POST', '/api/v1/test/echo', { body: '{"name": ' });
    expect(response.status).toBe(400);
    expectEnvelope(response.body, 'bad_request');
  });

  it('400 bad_request thrown by a handler (bad header)', async () => {
    const response = await t.request('GET', '/api/v1/test/bad-header');
    expect(response.status).toBe(400);
    expectEnvelope(response.body, 'bad_request');
    expect(response.body.message).toBe('X-Thing header is malformed');
  });

  it('401 unauthenticated', async () => {
    const response = await t.request('GET', '/api/v1/test/unauthenticated');
    expect(response.status).toBe(401);
    expectEnvelope(response.body, 'unauthenticated');
  });

  it('403 forbidden', async () => {
    const response = await t.request('GET', '/api/v1/test/forbidden');
    expect(response.status).toBe(403);
    expectEnvelope(response.body, 'forbidden');
  });

  it('404 not_found for an unknown route, inside and outside /api/v1', async () => {
    for (const path of ['/api/v1/nothing-here', '/nothing-here']) {
      const response = await t.request('GET', path);
      expect(response.status).toBe(404);
      expectEnvelope(response.body, 'not_found');
    }
  });

  it('404 not_found thrown by a handler', async () => {
    const response = await t.request('GET', '/api/v1/test/missing');
    expect(response.status).toBe(404);
    expect(response.body.message).toBe('Contact not found');
  });

  it('405 method_not_allowed for a known path with another method', async () => {
    const response = await t.request('DELETE', '/api/v1/test/missing');
    expect(response.status).toBe(405);
    expectEnvelope(response.body, 'method_not_allowed');
    expect(response.headers.get('allow')).toContain('GET');
  });

  it('409 conflict', async () => {
    const response = await t.request('GET', '/api/v1/test/conflict');
    expect(response.status).toBe(409);
    expectEnvelope(response.body, 'conflict');
  });

  it('413 payload_too_large, declared by Content-Length', async () => {
    const response = await t.request('POST', '/api/v1/test/echo', { body: { text: 'x'.repeat(4096) } });
    expect(response.status).toBe(413);
    expectEnvelope(response.body, 'payload_too_large');
  });

  it('413 payload_too_large, streamed without a length', async () => {
    const chunks = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(`{"text":"${'y'.repeat(3000)}`));
        controller.enqueue(new TextEncoder().encode('"}'));
        controller.close();
      },
    });
    const response = await fetch(`${t.url}/api/v1/test/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chunks,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expectEnvelope((await response.json()) as never, 'payload_too_large');
  });

  it('415 unsupported_media_type for a non-JSON body', async () => {
    const response = await t.request('POST', '/api/v1/test/echo', { body: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(response.status).toBe(415);
    expectEnvelope(response.body, 'unsupported_media_type');
  });

  it('422 validation_failed with field errors', async () => {
    const response = await t.request('GET', '/api/v1/test/invalid');
    expect(response.status).toBe(422);
    expectEnvelope(response.body, 'validation_failed');
    expect(response.body.errors).toEqual({ email: ['must be a valid email'], 'address.zip': ['is required'] });
  });

  it('429 rate_limited with Retry-After', async () => {
    const response = await t.request('GET', '/api/v1/test/limited');
    expect(response.status).toBe(429);
    expectEnvelope(response.body, 'rate_limited');
    expect(response.headers.get('retry-after')).toBe('42');
  });

  it('500 internal_error without message, stack, SQL or secrets, logged with the request id', async () => {
    for (const path of ['/api/v1/test/crash', '/api/v1/test/sql']) {
      const response = await t.request('GET', path, { headers: { 'x-request-id': `trace-${path.length}-crash` } });
      expect(response.status).toBe(500);
      expectEnvelope(response.body, 'internal_error');
      expect(response.body.message).toBe('Internal server error');
      const raw = JSON.stringify(response.body);
      for (const leak of ['hunter2', 'select', 'no_such_table', 'at ', 'Error:']) expect(raw).not.toContain(leak);
      expect(logLines.some((line) => line.requestId === `trace-${path.length}-crash` && line.level === 50)).toBe(true);
    }
  });
});

describe('successful bodies', () => {
  it('wraps data in the envelope and accepts an empty JSON body', async () => {
    const response = await t.request('POST', '/api/v1/test/echo', { body: { name: 'Ada' } });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ success: true, data: { name: 'Ada' } });
    const empty = await fetch(`${t.url}/api/v1/test/echo`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '0' } });
    expect(empty.status).toBe(201);
  });

  it('accepts +json media types and charset parameters', async () => {
    const response = await t.request('POST', '/api/v1/test/echo', {
      body: '{"a":1}',
      headers: { 'content-type': 'application/merge-patch+json; charset=utf-8' },
    });
    expect(response.status).toBe(201);
    expect(response.body.data).toEqual({ a: 1 });
  });
});
