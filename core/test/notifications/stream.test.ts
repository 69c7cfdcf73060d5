import { request as httpRequest, type ClientRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, asUser, createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { bellPlugin } from './fixtures/bell-plugin.js';

let t: TestKernel;
let owner: TestUser;
let member: TestUser;
let other: TestUser;
let closed = false;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [bellPlugin] });
  owner = await signUp(t, { tenant: true });
  other = await signUp(t, { tenant: true });
  await t.enable(owner, 'bell');
  await t.enable(other, 'bell');
  member = await addMember(t, owner, ['member']);
}, 60_000);
afterAll(async () => {
  if (!closed) await t.close();
});

interface StreamEvent {
  event: string;
  data: Record<string, unknown>;
  at: number;
}

/** An open stream: every event read so far, and a way to wait for one. */
interface OpenStream {
  events: StreamEvent[];
  next(match: (event: StreamEvent) => boolean, timeoutMs?: number): Promise<StreamEvent>;
  ended: Promise<void>;
  close(): void;
}

/** Opens GET /notifications/stream with the bearer header (as the console's fetch does), reading the body as it comes. */
async function openStream(headers: Record<string, string>): Promise<OpenStream> {
  const events: StreamEvent[] = [];
  const waiters = new Set<() => void>();
  let request: ClientRequest | undefined;
  let ended!: Promise<void>;
  await new Promise<void>((resolve, reject) => {
    request = httpRequest(`${t.url}/api/v1/notifications/stream`, { headers: { ...headers, accept: 'text/event-stream' } }, (response) => {
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toContain('text/event-stream');
      response.setEncoding('utf8');
      let buffer = '';
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) as Record<string, unknown>, at: performance.now() });
          for (const wake of waiters) wake();
        }
      });
      ended = new Promise((done) => response.once('close', () => done()));
      resolve();
    });
    request.once('error', reject);
    request.end();
  });
  return {
    events,
    ended,
    close: () => request?.destroy(),
    next(match, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(match);
          if (!found) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

const ring = (user: TestUser, to: TestUser, name: string) =>
  t.request('POST', '/api/v1/bell/ring', {
    headers: user.headers,
    body: { to: { userId: to.id }, template: 'bell.rang', data: { name, count: 1, place: 'p' } },
  });

/** A second session of the same person: signed in again, with a token of its own. */
async function secondSession(user: TestUser, tenantSlug: string): Promise<Record<string, string>> {
  const login = await t.request('POST', '/api/v1/auth/login', { body: { email: user.email, password: user.password } });
  expect(login.status).toBe(200);
  expect(login.body.data.tokens.access_token).not.toBe(user.accessToken);
  return asUser({ accessToken: login.body.data.tokens.access_token }, tenantSlug);
}

describe('the notification stream', () => {
  it('delivers a notification to a second session of the person within a second, and nothing to anyone else', async () => {
    const mine = await openStream(await secondSession(member, owner.tenant!.slug));
    const initial = await mine.next((event) => event.event === 'unread');
    expect(initial.data).toEqual({ unread: 0 });
    const colleague = await openStream(owner.headers);
    const stranger = await openStream(other.headers);
    // The same person in another tenant: a stream of that tenant's inbox.
    const sameUserElsewhere = await openStream(asUser(other, other.tenant!.slug));

    const sent = await ring(owner, member, 'live');
    const committed = performance.now();
    expect(sent.status).toBe(200);
    const arrived = await mine.next((event) => event.event === 'notification');
    expect(arrived.at - committed).toBeLessThan(1000);
    expect(arrived.data).toMatchObject({ title: 'The bell rang for live', category: 'bell.news', category_label: 'News', read_at: null, unread: 1 });

    // Markers for the others: once each has its own event, anything of the member's would have come before it.
    await ring(owner, owner, 'marker-owner');
    await ring(other, other, 'marker-other');
    await colleague.next((event) => event.event === 'notification');
    await stranger.next((event) => event.event === 'notification');
    await sameUserElsewhere.next((event) => event.event === 'notification');
    for (const stream of [colleague, stranger, sameUserElsewhere]) {
      expect(stream.events.filter((event) => event.event === 'notification').map((event) => event.data.title)).not.toContain('The bell rang for live');
    }
    expect(colleague.events.filter((event) => event.event === 'notification').map((event) => event.data.title)).toEqual(['The bell rang for marker-owner']);

    const read = await t.request('POST', `/api/v1/notifications/${String(arrived.data.id)}/read`, { headers: member.headers });
    expect(read.status).toBe(200);
    const afterRead = await mine.next((event) => event.event === 'unread' && event !== initial);
    expect(afterRead.data).toEqual({ unread: 0 });
    for (const stream of [mine, colleague, stranger, sameUserElsewhere]) stream.close();
    // The server lets go of streams whose client left.
    const deadline = Date.now() + 5000;
    while (t.kernel.services.notificationStream.size() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(t.kernel.services.notificationStream.size()).toBe(0);
  });

  it('sends nothing for a notification rolled back with its caller', async () => {
    const mine = await openStream(member.headers);
    await mine.next((event) => event.event === 'unread');
    const rolledBack = await t.request('POST', '/api/v1/bell/ring', {
      headers: owner.headers,
      body: { to: { userId: member.id }, template: 'bell.rang', data: { name: 'ghost', count: 1, place: 'p' }, rollback: true },
    });
    expect(rolledBack.status).toBe(409);
    await ring(owner, member, 'after-ghost');
    await mine.next((event) => event.event === 'notification');
    expect(mine.events.filter((event) => event.event === 'notification').map((event) => event.data.title)).toEqual(['The bell rang for after-ghost']);
    mine.close();
  });

  it('refuses a caller without a session, a tenant the person is not in, and a request that does not ask for a stream', async () => {
    const plain = await t.request('GET', '/api/v1/notifications/stream', { headers: member.headers });
    expect(plain.status).toBe(400);
    expect(plain.body.code).toBe('bad_request');
    expect((await fetch(`${t.url}/api/v1/notifications/stream`, { headers: { 'x-tenant': owner.tenant!.slug } })).status).toBe(401);
    expect((await fetch(`${t.url}/api/v1/notifications/stream`, { headers: { ...member.headers, 'x-tenant': other.tenant!.slug } })).status).toBe(403);
  });

  it('listens again after losing its connection, and tells open streams their unread count', async () => {
    const mine = await openStream(member.headers);
    const first = await mine.next((event) => event.event === 'unread');
    const [killed] = await t.sql<{ killed: boolean }>(
      "select bool_or(pg_terminate_backend(pid)) as killed from pg_stat_activity where application_name = 'plinth-notifications' and datname = current_database()",
    );
    expect(killed!.killed).toBe(true);
    // After reconnecting, the stream gets its unread count again (events of the gap may be lost).
    await mine.next((event) => event.event === 'unread' && event !== first, 10_000);
    await ring(owner, member, 'after-reconnect');
    const arrived = await mine.next((event) => event.event === 'notification' && event.data.title === 'The bell rang for after-reconnect');
    expect(arrived.data.unread).toEqual(expect.any(Number));
    mine.close();
  });

  it('ends open streams when the kernel stops, so it stops without waiting for them', async () => {
    const mine = await openStream(member.headers);
    await mine.next((event) => event.event === 'unread');
    const started = performance.now();
    closed = true;
    await t.close();
    await mine.ended;
    expect(performance.now() - started).toBeLessThan(t.kernel.config.shutdownTimeoutMs);
  });
});
