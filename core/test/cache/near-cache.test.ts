import { randomUUID } from 'node:crypto';
import { createClient } from '@keyv/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCache, type Cache } from '../../src/cache/cache.js';
import { createNearTier, type Fetched, type NearCacheOptions, type SubscriberClient } from '../../src/cache/near-cache.js';

// The near tier exists only in front of Redis: `.ci/run` sets REDIS_URL.
const redisUrl = process.env.REDIS_URL;

/** What a cache's tier reports (its test hooks), and promises of the next report that matches. */
function observed() {
  const waiting: { match: (event: string) => boolean; resolve: () => void }[] = [];
  const report = (event: string) => {
    for (const waiter of waiting.filter((candidate) => candidate.match(event))) {
      waiting.splice(waiting.indexOf(waiter), 1);
      waiter.resolve();
    }
  };
  const next = (event: string) => new Promise<void>((resolve) => waiting.push({ match: (seen) => seen === event, resolve }));
  const hooks: NearCacheOptions = {
    onSubscription: (live) => report(live ? 'live' : 'lost'),
    onInvalidated: (key) => report(`invalidated ${key}`),
  };
  return { hooks, next };
}

describe.runIf(redisUrl)('near cache in front of Redis', () => {
  const admin = createClient({ url: redisUrl });
  const opened: Cache[] = [];
  beforeAll(async () => {
    await admin.connect();
  });
  afterAll(async () => {
    await Promise.all(opened.map((cache) => cache.close()));
    await admin.close();
  });

  /** A cache as one process of a host would have it, its tier subscribed (first use starts the subscriber). */
  const instance = async (namespace: string, near: Omit<NearCacheOptions, 'onSubscription' | 'onInvalidated'> = {}) => {
    const events = observed();
    const cache = createCache({ redisUrl, namespace, near: { ...near, ...events.hooks } });
    opened.push(cache);
    const live = events.next('live');
    cache.peek('anything');
    await live;
    return { cache, ...events };
  };
  /** A process of the same host without a tier of its own (its writes still tell the others). */
  const writer = (namespace: string) => {
    const cache = createCache({ redisUrl, namespace, near: false });
    opened.push(cache);
    return cache;
  };
  const namespace = () => `near-${randomUUID()}:`;
  /** Runs another process's write and waits until `reader` has heard of it (else its message may land after a read). */
  const heard = async (reader: { next: (event: string) => Promise<void> }, key: string, write: () => Promise<void>) => {
    const invalidated = reader.next(`invalidated ${key}`);
    await write();
    await invalidated;
  };

  it('answers a hit synchronously, the same value without a round trip, and getOrLoad from it', async () => {
    const ns = namespace();
    const a = await instance(ns);
    await heard(a, 'tenant:1', () => writer(ns).set('tenant:1', { slug: 'acme' }));
    expect(a.cache.peek('tenant:1')).toBeUndefined(); // not read yet
    const first = await a.cache.get('tenant:1');
    expect(first).toEqual({ slug: 'acme' });
    expect(a.cache.peek('tenant:1')).toBe(first); // kept by reference, not parsed from Redis again
    expect(await a.cache.get('tenant:1')).toBe(first);
    let loads = 0;
    expect(await a.cache.getOrLoad('tenant:1', 60_000, async () => ({ slug: 'loaded', load: ++loads }))).toBe(first);
    expect(loads).toBe(0);
  });

  it("sees another process's set and delete once its invalidation arrives", async () => {
    const ns = namespace();
    const a = await instance(ns);
    const b = await instance(ns);
    await heard(a, 'user:1', () => b.cache.set('user:1', { status: 'active' }));
    expect(await a.cache.get('user:1')).toEqual({ status: 'active' });
    expect(a.cache.peek('user:1')).toEqual({ status: 'active' });

    await heard(a, 'user:1', () => b.cache.set('user:1', { status: 'suspended' }));
    expect(a.cache.peek('user:1')).toBeUndefined();
    expect(await a.cache.get('user:1')).toEqual({ status: 'suspended' });
    expect(a.cache.peek('user:1')).toEqual({ status: 'suspended' });

    await heard(a, 'user:1', () => b.cache.delete('user:1'));
    expect(a.cache.peek('user:1')).toBeUndefined();
    expect(await a.cache.get('user:1')).toBeUndefined();
    expect(await a.cache.getOrLoad('user:1', 60_000, async () => ({ status: 'reloaded' }))).toEqual({ status: 'reloaded' });
  });

  it('drops the writer’s own copy at once, before any message', async () => {
    const ns = namespace();
    const a = await instance(ns);
    await a.cache.set('plugins:1', { version: 1 });
    expect(await a.cache.get('plugins:1')).toEqual({ version: 1 });
    await a.cache.set('plugins:1', { version: 2 });
    expect(a.cache.peek('plugins:1')).toBeUndefined();
    expect(await a.cache.get('plugins:1')).toEqual({ version: 2 });
    await a.cache.delete('plugins:1');
    expect(a.cache.peek('plugins:1')).toBeUndefined();
    expect(await a.cache.get('plugins:1')).toBeUndefined();
  });

  it("keeps an entry no longer than its own TTL, nor than the tier's cap", async () => {
    let now = 1_000_000;
    const ns = namespace();
    const a = await instance(ns, { maxAgeMs: 5_000, now: () => now });
    const b = writer(ns);
    await heard(a, 'short', () => b.set('short', 'ttl 3 s', 3_000));
    await heard(a, 'long', () => b.set('long', 'no ttl'));
    expect(await a.cache.get('short')).toBe('ttl 3 s');
    expect(await a.cache.get('long')).toBe('no ttl');
    now += 2_900; // the entry's TTL was measured in real time at the read, a few ms less than 3 s
    expect(a.cache.peek('short')).toBe('ttl 3 s');
    now += 200;
    expect(a.cache.peek('short')).toBeUndefined();
    expect(a.cache.peek('long')).toBe('no ttl');
    now += 1_901; // 5,001 ms after the read: past the cap
    expect(a.cache.peek('long')).toBeUndefined();
    expect(await a.cache.get('long')).toBe('no ttl'); // still in Redis: read again and held again
    expect(a.cache.peek('long')).toBe('no ttl');
  });

  it('bypasses and clears the tier while its subscriber is disconnected, and resumes once subscribed again', async () => {
    const ns = namespace();
    const a = await instance(ns);
    const b = writer(ns);
    await heard(a, 'tenant:1', () => b.set('tenant:1', 'v1'));
    expect(await a.cache.get('tenant:1')).toBe('v1');
    expect(a.cache.peek('tenant:1')).toBe('v1');

    const lost = a.next('lost');
    const back = a.next('live');
    await killSubscriber(`${ns}invalidate`);
    await lost;
    expect(a.cache.peek('tenant:1')).toBeUndefined(); // cleared: a message may be missed from now on
    // A read while disconnected answers from Redis and is not held (the reconnection clears what began before it).
    expect(await a.cache.get('tenant:1')).toBe('v1');
    expect(a.cache.peek('tenant:1')).toBeUndefined();

    await back;
    expect(a.cache.peek('tenant:1')).toBeUndefined();
    expect(await a.cache.get('tenant:1')).toBe('v1');
    expect(a.cache.peek('tenant:1')).toBe('v1');
    await heard(a, 'tenant:1', () => b.set('tenant:1', 'v2')); // subscribed again: messages arrive
    expect(await a.cache.get('tenant:1')).toBe('v2');
  });

  it('closes its subscriber on close', async () => {
    const ns = namespace();
    const a = await instance(ns);
    expect(await subscriberIds(`${ns}invalidate`)).toHaveLength(1);
    await a.cache.close();
    await expect.poll(() => subscriberIds(`${ns}invalidate`), { interval: 20 }).toHaveLength(0);
  });

  it('leaves the rate-limit counters in Redis, shared by every process', async () => {
    const ns = namespace();
    const a = await instance(ns);
    const b = await instance(ns);
    expect((await a.cache.counters.take(['ip'], 2, 60_000)).taken).toBe(true);
    expect((await b.cache.counters.take(['ip'], 2, 60_000)).taken).toBe(true);
    expect((await a.cache.counters.take(['ip'], 2, 60_000)).taken).toBe(false);
  });

  /** The ids of the subscriber connections named `name` (a cache names its subscriber after its channel). */
  async function subscriberIds(name: string) {
    const list = String(await admin.sendCommand(['CLIENT', 'LIST', 'TYPE', 'pubsub']));
    return [...list.matchAll(/^id=(\d+) .*? name=(\S*)/gm)].filter((match) => match[2] === name).map((match) => match[1]!);
  }

  async function killSubscriber(name: string) {
    const [id] = await subscriberIds(name);
    expect(id).toBeDefined();
    await admin.sendCommand(['CLIENT', 'KILL', 'ID', id!]);
  }
});

describe.runIf(redisUrl)('near tier racing an invalidation', () => {
  const publisher = createClient({ url: redisUrl });
  beforeAll(async () => {
    await publisher.connect();
  });
  afterAll(async () => {
    await publisher.close();
  });

  /** A tier on its own channel, subscribed, and a fetch whose answer the test releases. */
  const tier = async () => {
    const channel = `near-race-${randomUUID()}:invalidate`;
    const events = observed();
    const near = createNearTier(() => publisher.duplicate() as unknown as SubscriberClient, channel, events.hooks, undefined);
    const live = events.next('live');
    near.peek('anything');
    await live;
    let release!: (value: Fetched) => void;
    const slowFetch = () => new Promise<Fetched>((resolve) => (release = resolve));
    return { near, channel, next: events.next, slowFetch, release: (value: unknown) => release({ value, ttlMs: undefined }) };
  };

  it('holds what a read fetched when nothing changed meanwhile', async () => {
    const { near, slowFetch, release } = await tier();
    const read = near.read('tenant:1', slowFetch);
    release('current');
    expect(await read).toBe('current');
    expect(near.peek('tenant:1')).toBe('current');
    await near.close();
  });

  it("does not hold a value fetched before another process's invalidation of the key arrived", async () => {
    const { near, channel, next, slowFetch, release } = await tier();
    const read = near.read('tenant:1', slowFetch); // the GET is in flight…
    const invalidated = next('invalidated tenant:1');
    await publisher.publish(channel, 'tenant:1'); // …when another process changes the key
    await invalidated;
    release('old'); // the reply left Redis before the change
    expect(await read).toBe('old');
    expect(near.peek('tenant:1')).toBeUndefined();
    await near.close();
  });

  it('does not hold a value fetched before a write of this process drops the key, and only that key', async () => {
    const { near, slowFetch, release } = await tier();
    let read = near.read('user:1', slowFetch);
    near.drop('user:1');
    release('old');
    expect(await read).toBe('old');
    expect(near.peek('user:1')).toBeUndefined();

    // Another key's invalidation does not stop a fill.
    read = near.read('user:2', slowFetch);
    near.drop('user:3');
    release('current');
    expect(await read).toBe('current');
    expect(near.peek('user:2')).toBe('current');
    await near.close();
  });
});
