import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { coreServices, definePermissions, definePlugin, RefusedDestinationError, Type, type Clock, type HttpClient, type MailMessage } from '@plinth/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../src/net/http-client.js';
import type { KernelOptions } from '../../src/kernel.js';
import type { Mailer } from '../../src/mail/mailer.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';

// A host (here the test kit) replaces kernel services with `services`: the replacement reaches plugins' deps.

const permissions = definePermissions('clockwork', { 'things.use': { description: 'Use the clockwork', grantTo: ['admin'] } });

const clockworkPlugin = definePlugin({
  name: 'clockwork',
  version: '1.0.0',
  title: 'Clockwork',
  description: 'Reads the time, sends mail and calls out',
  category: 'testing',
  requires: { core: '>=0.1.0' },
  deps: { clock: coreServices.clock, mailer: coreServices.mailer, http: coreServices.http },
  permissions,
  routes: ({ route }) => [
    route({
      method: 'GET',
      path: '/now',
      summary: 'The time, by the host clock',
      permission: permissions['things.use'],
      schema: { response: Type.Object({ now: Type.String() }) },
      async handler({ deps }) {
        return { now: deps.clock.now().toISOString() };
      },
    }),
    route({
      method: 'POST',
      path: '/mail',
      summary: 'Sends a mail',
      permission: permissions['things.use'],
      schema: { body: Type.Object({ to: Type.String() }), response: Type.Object({ sent: Type.Boolean() }) },
      async handler({ body, deps }) {
        await deps.mailer.send({ to: body.to, subject: 'Tick', text: 'Tock', idempotencyKey: 'tick' });
        return { sent: true };
      },
    }),
    route({
      method: 'POST',
      path: '/call',
      summary: 'Calls a URL through the host client',
      permission: permissions['things.use'],
      schema: {
        body: Type.Object({ url: Type.String() }),
        response: Type.Object({ status: Type.Optional(Type.Integer()), refused: Type.Optional(Type.String()) }),
      },
      async handler({ body, deps }) {
        try {
          return { status: (await deps.http.fetch(body.url)).status };
        } catch (error) {
          if (error instanceof RefusedDestinationError) return { refused: error.message };
          throw error;
        }
      },
    }),
  ],
});

const fixed = new Date('2031-03-04T05:06:07.000Z');
const sent: MailMessage[] = [];
const fakeMailer: Mailer = { send: async (message) => void sent.push(message) } as Mailer;
const called: string[] = [];
const fakeHttp: HttpClient = {
  fetch: async (url) => (called.push(String(url)), new Response('{}', { status: 299 })),
  check: async () => undefined,
};

let receiver: Server;
let receiverPort: number;
let faked: TestKernel;
let plain: TestUser;
let fakedOwner: TestUser;
let real: TestKernel;
beforeAll(async () => {
  receiver = createServer((_request, response) => response.writeHead(204).end());
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverPort = (receiver.address() as AddressInfo).port;
  faked = await createTestKernel({
    plugins: [clockworkPlugin],
    services: { clock: () => ({ now: () => fixed }), mailer: () => fakeMailer, httpClient: () => fakeHttp },
  });
  real = await createTestKernel({ plugins: [clockworkPlugin] });
  fakedOwner = await signUp(faked, { tenant: true });
  plain = await signUp(real, { tenant: true });
  await faked.enable(fakedOwner, 'clockwork');
  await real.enable(plain, 'clockwork');
});
afterAll(async () => {
  await faked?.close();
  await real?.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

describe('a host override', () => {
  it("of the clock reaches a plugin's handler", async () => {
    const answer = await faked.request('GET', '/api/v1/clockwork/now', { headers: fakedOwner.headers });
    expect(answer.body.data).toEqual({ now: fixed.toISOString() });
    expect(faked.kernel.services.clock.now()).toEqual(fixed);
  });

  it("of the mailer reaches a plugin's handler (its key still scoped to the tenant and plugin)", async () => {
    expect((await faked.request('POST', '/api/v1/clockwork/mail', { headers: fakedOwner.headers, body: { to: 'ada@example.com' } })).status).toBe(200);
    // (The owner's sign-up sent a verification mail through the fake too: only the plugin's is looked at.)
    expect(sent.filter((mail) => mail.to === 'ada@example.com')).toEqual([
      { to: 'ada@example.com', subject: 'Tick', text: 'Tock', idempotencyKey: `${fakedOwner.tenant!.id}:clockwork:tick` },
    ]);
    expect(await faked.mailbox()).toEqual([]);
  });

  it('of the HTTP client reaches a plugin, which then calls nothing real', async () => {
    const answer = await faked.request('POST', '/api/v1/clockwork/call', { headers: fakedOwner.headers, body: { url: 'http://169.254.169.254/' } });
    expect(answer.body.data).toEqual({ status: 299 });
    expect(called).toEqual(['http://169.254.169.254/']);
  });

  it('leaves the other kernels alone: the system clock and the real mailer', async () => {
    const before = Date.now();
    const { now } = (await real.request('GET', '/api/v1/clockwork/now', { headers: plain.headers })).body.data;
    expect(Date.parse(now)).toBeGreaterThanOrEqual(before - 1_000);
    expect((await real.request('POST', '/api/v1/clockwork/mail', { headers: plain.headers, body: { to: 'bob@example.com' } })).status).toBe(200);
    expect((await real.mailbox('bob@example.com')).map((mail) => mail.subject)).toEqual(['Tick']);
  });
});

describe('coreServices.http', () => {
  it('refuses an internal address before connecting (loopback refused by default)', async () => {
    for (const url of [`http://127.0.0.1:${receiverPort}/`, 'http://169.254.169.254/latest/meta-data/', 'http://[::ffff:10.0.0.1]/']) {
      const answer = await real.request('POST', '/api/v1/clockwork/call', { headers: plain.headers, body: { url } });
      expect(answer.body.data.refused, url).toMatch(/a (loopback|link-local \(cloud metadata\)|private) address$/);
    }
  });

  it('calls loopback when the host allows it (PLINTH_HTTP_ALLOW_LOOPBACK, or its own client)', async () => {
    const allowed = await createTestKernel({ plugins: [clockworkPlugin], services: { httpClient: () => createHttpClient({ allowLoopback: true }) } });
    try {
      const owner = await signUp(allowed, { tenant: true });
      await allowed.enable(owner, 'clockwork');
      const answer = await allowed.request('POST', '/api/v1/clockwork/call', { headers: owner.headers, body: { url: `http://127.0.0.1:${receiverPort}/` } });
      expect(answer.body.data).toEqual({ status: 204 });
    } finally {
      await allowed.close();
    }
  });
});

describe('override types', () => {
  it('accept a factory building the service, and refuse one building something else', () => {
    const clock: Clock = { now: () => fixed };
    const good: KernelOptions = {
      services: { clock: () => clock, httpClient: ({ config }) => createHttpClient({ allowLoopback: config.env !== 'production' }) },
    };
    // @ts-expect-error a clock must have now(): Date
    const wrongClock: KernelOptions = { services: { clock: () => ({ now: () => 'noon' }) } };
    // @ts-expect-error a mailer factory must build a Mailer
    const wrongMailer: KernelOptions = { services: { mailer: () => ({ post: () => undefined }) } };
    // @ts-expect-error the database is not a replaceable service
    const notReplaceable: KernelOptions = { services: { database: () => undefined } };
    expect([good, wrongClock, wrongMailer, notReplaceable].every(Boolean)).toBe(true);
  });
});
