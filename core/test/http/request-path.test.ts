import { connect } from 'node:net';
import { Type } from '@sinclair/typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definePermissions } from '@plinth/sdk';
import { corePermissions, defineRoute, type CoreRoute } from '../../src/index.js';
import type { KernelServices } from '../../src/kernel.js';
import { routeStages } from '../../src/http/route-pipeline.js';
import { createTestKernel, type TestKernel } from '../../src/testing/index.js';

let handled = 0;
let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel({
    tenants: ['acme'],
    routes: [
      defineRoute({
        method: 'POST',
        path: '/test/guarded',
        summary: 'A permission route with a body',
        errors: [],
        permission: corePermissions['tenant.manage'],
        schema: { body: Type.Object({ note: Type.String() }) },
        handler: async ({ body }) => {
          handled += 1;
          return body;
        },
      }),
    ],
  });
});
afterAll(() => t.close());

/** Sends a request's head and only `sent` bytes of the body it announces, and resolves with the answer's status line. */
function partialPost(path: string, headers: Record<string, string>, declared: number, sent: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const { port, hostname } = new URL(t.url);
    const socket = connect(Number(port), hostname);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer while the body was incomplete: the server was waiting for it'));
    }, 3000);
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n')) {
        clearTimeout(timer);
        socket.destroy();
        resolve(answer.slice(0, answer.indexOf('\r\n')));
      }
    });
    socket.on('error', reject);
    const head = Object.entries({ host: hostname, 'content-type': 'application/json', 'content-length': String(declared), ...headers })
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.write(`POST ${path} HTTP/1.1\r\n${head}\r\n`);
    socket.write(`{"note":"${'x'.repeat(sent - 10)}`);
  });
}

describe('the request path decides access before reading the body', () => {
  it('answers an anonymous 1 MB POST to a permission route 401 at once, without reading the body', async () => {
    const started = performance.now();
    const status = await partialPost('/api/v1/test/guarded', { 'x-tenant': 'acme' }, 1024 * 1024, 1024);
    expect(status).toMatch(/^HTTP\/1\.1 401 /);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(handled).toBe(0);
  });

  it('answers a bad token 401 the same way', async () => {
    const status = await partialPost('/api/v1/test/guarded', { 'x-tenant': 'acme', authorization: 'Bearer not-a-token' }, 1024 * 1024, 1024);
    expect(status).toMatch(/^HTTP\/1\.1 401 /);
  });

  it('answers an unnamed tenant 400 before the body too', async () => {
    const status = await partialPost('/api/v1/test/guarded', {}, 1024 * 1024, 1024);
    expect(status).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('reads and validates the body once access is granted', async () => {
    const owner = t.tenants.acme!;
    const ok = await t.request('POST', '/api/v1/test/guarded', { headers: owner.headers, body: { note: 'hello' } });
    expect(ok.status).toBe(200);
    expect(ok.body.data).toEqual({ note: 'hello' });
    const invalid = await t.request('POST', '/api/v1/test/guarded', { headers: owner.headers, body: { note: 1 } });
    expect(invalid.status).toBe(422);
    const anonymousInvalid = await t.request('POST', '/api/v1/test/guarded', { headers: { 'x-tenant': 'acme' }, body: 'not json' });
    expect(anonymousInvalid.status).toBe(401);
    expect(handled).toBe(1);
  });
});

describe('stages chosen at mount', () => {
  const services = { config: { bodyLimitBytes: 1024 } } as KernelServices;
  const handler = async () => ({});
  const stagesOf = (route: Partial<CoreRoute>) =>
    routeStages({ method: 'GET', path: '/x', summary: 'x', handler, access: { public: true }, ...route } as CoreRoute, services).map((stage) => stage.name);
  const Body = Type.Object({ a: Type.String() });

  it('a public tenant-less route: no tenant, no credentials, no body for GET', () => {
    expect(stagesOf({})).toEqual(['checkInput', 'run', 'reply']);
    expect(stagesOf({ schema: { query: Body } })).toEqual(['checkInput', 'validate', 'run', 'reply']);
    expect(stagesOf({ method: 'POST', schema: { body: Body } })).toEqual(['checkInput', 'readBody', 'validate', 'run', 'reply']);
  });

  it('a signed-in user or host operator route: the caller, no tenant', () => {
    expect(stagesOf({ access: { user: true } })).toEqual(['checkInput', 'authenticate', 'run', 'reply']);
    expect(stagesOf({ access: { superAdmin: true }, method: 'DELETE' })).toEqual(['checkInput', 'authenticate', 'readBody', 'run', 'reply']);
  });

  it("a plugin's permission route: every check, the body last", () => {
    expect(
      stagesOf({
        plugin: 'crm',
        method: 'POST',
        access: { permission: definePermissions('crm', { 'contacts.manage': { description: 'x' } })['contacts.manage'] },
        schema: { body: Body },
      }),
    ).toEqual(['checkInput', 'resolveTenant', 'authenticate', 'billingStanding', 'meter', 'gate', 'authorize', 'readBody', 'validate', 'run', 'reply']);
    expect(stagesOf({ access: { member: true } })).toEqual(['checkInput', 'resolveTenant', 'authenticate', 'billingStanding', 'meter', 'run', 'reply']);
    // A route a tenant in dunning can always reach (billing's own) skips the billing standing.
    expect(stagesOf({ access: { member: true }, billingExempt: true })).toEqual(['checkInput', 'resolveTenant', 'authenticate', 'meter', 'run', 'reply']);
  });

  it('a public webhook naming its tenant keeps its raw body; a root page has no credentials and no rate limit', () => {
    expect(stagesOf({ plugin: 'payments', method: 'POST', access: { public: true, tenant: { param: 'tenant' } }, body: { types: ['text/plain'] } })).toEqual([
      'checkInput',
      'resolveTenant',
      'authenticate',
      'billingStanding',
      'meter',
      'gate',
      'readBody',
      'run',
      'reply',
    ]);
    expect(stagesOf({ plugin: 'bio-sites', root: true, access: { public: true, tenant: { resolve: async () => undefined } } })).toEqual([
      'checkInput',
      'resolveTenant',
      'admit',
      'billingStanding',
      'gate',
      'run',
      'reply',
    ]);
  });

  it('a route with its own rate limit counts it after access is decided and before the body is read', () => {
    expect(stagesOf({ plugin: 'shop', method: 'POST', access: { public: true, tenant: true }, rateLimit: { per: 'ip', max: 5, windowSeconds: 60 } })).toEqual([
      'checkInput',
      'resolveTenant',
      'authenticate',
      'billingStanding',
      'meter',
      'gate',
      'limit',
      'readBody',
      'run',
      'reply',
    ]);
  });
});
