import { Writable } from 'node:stream';
import { commonErrors, ConflictError, defineErrors, definePermissions, definePlugin, Reply, Type } from '@plinth/sdk';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineRoute } from '../../src/index.js';
import { addMember, createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { freshIp, trustProxyEnv } from '../auth/auth-helpers.js';

const logLines: Record<string, unknown>[] = [];
const logSink = new Writable({
  write(chunk: Buffer, _encoding, callback) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(line) as Record<string, unknown>);
    callback();
  },
});

const permissions = definePermissions('limits', { 'reports.view': { description: 'Read reports', grantTo: ['admin', 'member'] } });
const limitsErrors = defineErrors('limits', {
  sold_out: { status: 409, description: 'Nothing left' },
  never_declared: { status: 409, description: 'A code no route lists' },
});
const Ok = Type.Object({ ok: Type.Boolean() });

/** Routes with their own rate limits and error codes. */
const limitsPlugin = definePlugin({
  name: 'limits',
  version: '1.0.0',
  title: 'Limits',
  description: 'Routes with rate limits and error catalogues',
  category: 'test',
  requires: { core: '^0.1.0' },
  deps: {},
  permissions,
  routes: ({ route }) => [
    route({
      method: 'POST',
      path: '/sign-ups',
      summary: 'A public write',
      public: true,
      rateLimit: { per: 'ip', max: 3, windowSeconds: 60 },
      body: { types: ['application/json'], limitBytes: 64 },
      schema: { body: Type.Object({ email: Type.String() }), response: Ok },
      handler: async () => ({ ok: true }),
    }),
    route({
      method: 'GET',
      path: '/report',
      summary: 'A costly read',
      permission: permissions['reports.view'],
      rateLimit: { per: 'principal', max: 2, windowSeconds: 60 },
      schema: { response: Ok },
      handler: async () => Reply.ok({ ok: true }),
    }),
    route({
      method: 'POST',
      path: '/buy/:outcome',
      summary: 'Throws what it is told to',
      permission: permissions['reports.view'],
      errors: [limitsErrors.sold_out],
      schema: { params: Type.Object({ outcome: Type.String() }), response: Ok },
      async handler({ params }) {
        if (params.outcome === 'sold-out') throw limitsErrors.sold_out('The last one went a minute ago');
        if (params.outcome === 'undeclared') throw limitsErrors.never_declared();
        if (params.outcome === 'conflict') throw new ConflictError('A generic conflict, not declared either');
        if (params.outcome === 'missing') throw new Error('a bug');
        return { ok: true };
      },
    }),
  ],
});

let t: TestKernel;
let owner: TestUser;
let other: TestUser;
beforeAll(async () => {
  t = await createTestKernel({
    plugins: [limitsPlugin],
    env: trustProxyEnv,
    logger: pino({ level: 'error' }, logSink),
    routes: [
      // Core routes are held to their codes once they declare `errors` (even none); until then they are not checked.
      defineRoute({
        method: 'POST',
        path: '/test/core-declared',
        summary: 'x',
        public: true,
        errors: [commonErrors.conflict],
        handler: async () => Promise.reject(new ConflictError('Taken')),
      }),
      defineRoute({
        method: 'POST',
        path: '/test/core-checked',
        summary: 'x',
        public: true,
        errors: [],
        handler: async () => Promise.reject(new ConflictError('Taken')),
      }),
    ],
  });
  owner = await signUp(t, { tenant: true });
  other = await signUp(t, { tenant: true });
  await t.enable(owner, 'limits');
  await t.enable(other, 'limits');
});
afterAll(() => t.close());

const signUpAs = (tenant: TestUser, ip: Record<string, string>, body: unknown = { email: 'a@example.test' }) =>
  t.request('POST', '/api/v1/limits/sign-ups', { headers: { 'x-tenant': tenant.tenant!.slug, ...ip }, body });

describe('route rate limits', () => {
  it('refuse a public write after max calls from one IP, with Retry-After and RateLimit headers; another IP or tenant still passes', async () => {
    const ip = freshIp();
    const answers = [];
    for (let call = 0; call < 4; call++) answers.push(await signUpAs(owner, ip));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 429]);
    expect(answers.map((answer) => answer.headers.get('ratelimit-remaining'))).toEqual(['2', '1', '0', '0']);
    const refused = answers[3]!;
    expect(refused.body.code).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(refused.headers.get('ratelimit-limit')).toBe('3');
    expect((await signUpAs(owner, freshIp())).status).toBe(200);
    expect((await signUpAs(other, ip)).status).toBe(200);
  });

  it('refuse before the body is read: an over-limit client sending a too-large body gets 429, not 413', async () => {
    const ip = freshIp();
    const large = { email: 'x'.repeat(200) };
    expect((await signUpAs(owner, ip, large)).status).toBe(413); // the body really is over the route's limit
    for (let call = 0; call < 2; call++) expect((await signUpAs(owner, ip)).status).toBe(200);
    const refused = await signUpAs(owner, ip, large);
    expect([refused.status, refused.body.code]).toEqual([429, 'rate_limited']);
  });

  it('count a principal-limited route per user, whatever their IP', async () => {
    const member = await addMember(t, owner, ['member']);
    const report = (user: TestUser) => t.request('GET', '/api/v1/limits/report', { headers: { ...user.headers, ...freshIp() } });
    expect([(await report(owner)).status, (await report(owner)).status, (await report(owner)).status]).toEqual([200, 200, 429]);
    expect((await report(member)).status).toBe(200);
  });

  it('stop the boot on a limit that cannot be enforced', async () => {
    const bad = (rateLimit: object, access: object) =>
      definePlugin({
        name: 'bad-limits',
        version: '1.0.0',
        title: 'Bad limits',
        description: 'x',
        category: 'test',
        requires: { core: '^0.1.0' },
        deps: {},
        routes: ({ route }) => [route({ method: 'GET', path: '/x', summary: 'x', ...access, rateLimit, handler: async () => ({}) } as never)],
      });
    await expect(createTestKernel({ plugins: [bad({ per: 'principal', max: 5, windowSeconds: 60 }, { public: true })] })).rejects.toThrow(
      "plugin `bad-limits`: route GET /bad-limits/x has a rate limit that cannot be enforced: per 'principal' needs a signed-in caller, and the route is public",
    );
    await expect(createTestKernel({ plugins: [bad({ per: 'ip', max: 0, windowSeconds: 60 }, { public: true })] })).rejects.toThrow(
      'max must be a positive integer (got 0)',
    );
  });
});

describe('error codes under the test kit', () => {
  const buy = (outcome: string) => t.request('POST', `/api/v1/limits/buy/${outcome}`, { headers: owner.headers, body: {} });
  const loggedFor = (requestId: unknown) => (logLines.find((line) => line.requestId === requestId)?.err as { message?: string } | undefined)?.message;

  it('pass a declared code, and a code the kernel derives from the route', async () => {
    const soldOut = await buy('sold-out');
    expect([soldOut.status, soldOut.body.code, soldOut.body.message]).toEqual([409, 'sold_out', 'The last one went a minute ago']);
    const malformed = await t.request('POST', '/api/v1/limits/buy/ok', { headers: { ...owner.headers, 'content-type': 'application/json' }, body: '{' });
    expect([malformed.status, malformed.body.code]).toEqual([400, 'bad_request']);
  });

  it('fail loudly on a code the route does not document: a 500, logged naming the route and the code', async () => {
    for (const [outcome, code] of [
      ['undeclared', 'never_declared'],
      ['conflict', 'conflict'],
    ]) {
      const answer = await buy(outcome!);
      expect([answer.status, answer.body.code]).toEqual([500, 'internal_error']);
      expect(loggedFor(answer.body.meta.request_id)).toContain(
        `plugin \`limits\`: route POST /limits/buy/:outcome answered 409 ${code}, which it does not document`,
      );
    }
  });

  it('hold core routes to the errors they declare', async () => {
    const declared = await t.request('POST', '/api/v1/test/core-declared', { body: {} });
    expect([declared.status, declared.body.code]).toEqual([409, 'conflict']);
    const checked = await t.request('POST', '/api/v1/test/core-checked', { body: {} });
    expect([checked.status, checked.body.code]).toEqual([500, 'internal_error']);
    expect(loggedFor(checked.body.meta.request_id)).toContain('route POST /test/core-checked answered 409 conflict, which it does not document');
  });

  it('leave internal errors alone (they are 500 anyway)', async () => {
    const answer = await buy('missing');
    expect([answer.status, answer.body.code]).toEqual([500, 'internal_error']);
    expect(loggedFor(answer.body.meta.request_id)).toContain('a bug');
    expect(loggedFor(answer.body.meta.request_id)).not.toContain('does not document');
  });
});
