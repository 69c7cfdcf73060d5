import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCache } from '../../src/cache/cache.js';

// CI and the development machines run Redis; `.ci/run` sets REDIS_URL. A fresh machine without Redis runs the memory store only.
const redisUrl = process.env.REDIS_URL;
const stores = [{ name: 'memory', redisUrl: undefined }, ...(redisUrl ? [{ name: 'redis', redisUrl }] : [])];

describe.each(stores)('cache on $name', ({ redisUrl: url }) => {
  it('stores, expires and deletes values', async () => {
    const cache = await createCache({ redisUrl: url, namespace: `test-${randomUUID()}` });
    try {
      await cache.set('user:1', { name: 'Ada', roles: ['owner'] });
      expect(await cache.get('user:1')).toEqual({ name: 'Ada', roles: ['owner'] });
      await cache.set('short', 1, 1);
      await expect.poll(() => cache.get('short'), { interval: 5 }).toBeUndefined();
      await cache.delete('user:1');
      expect(await cache.get('user:1')).toBeUndefined();
      expect(await cache.ping()).toBe(true);
    } finally {
      await cache.close();
    }
  });

  it('keeps namespaces apart', async () => {
    const a = await createCache({ redisUrl: url, namespace: `a-${randomUUID()}` });
    const b = await createCache({ redisUrl: url, namespace: `b-${randomUUID()}` });
    try {
      await a.set('key', 'from a');
      expect(await b.get('key')).toBeUndefined();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('peek', () => {
  it('answers a hit of the memory store synchronously, and honours expiry and deletion', async () => {
    const cache = createCache({ namespace: `peek-${randomUUID()}` });
    try {
      expect(cache.peek('tenant:1')).toBeUndefined();
      let loads = 0;
      await cache.getOrLoad('tenant:1', 60_000, async () => ({ slug: 'acme', load: ++loads }));
      expect(cache.peek('tenant:1')).toEqual({ slug: 'acme', load: 1 });
      await cache.set('short', 'soon gone', 1);
      await expect.poll(() => cache.peek('short'), { interval: 5 }).toBeUndefined();
      await cache.delete('tenant:1');
      expect(cache.peek('tenant:1')).toBeUndefined();
    } finally {
      await cache.close();
    }
  });

  it.runIf(redisUrl)('answers from the near tier in front of Redis once a read has filled it (near-cache.test.ts)', async () => {
    const cache = createCache({ redisUrl, namespace: `peek-${randomUUID()}` });
    try {
      await cache.set('key', 'value');
      expect(cache.peek('key')).toBeUndefined();
      expect(await cache.getOrLoad('key', 60_000, async () => 'loaded')).toBe('value');
      await expect.poll(async () => (await cache.get('key'), cache.peek('key')), { interval: 5 }).toBe('value'); // once subscribed
    } finally {
      await cache.close();
    }
  });
});

describe('cache on an unreachable Redis', () => {
  it('reports down within the timeout instead of hanging', async () => {
    const cache = await createCache({ redisUrl: 'redis://127.0.0.1:1' });
    try {
      expect(await cache.ping(500)).toBe(false);
    } finally {
      await cache.close();
    }
  });
});

describe.each(stores)('getOrLoad on $name racing an invalidation', ({ redisUrl: url }) => {
  it('does not keep a value loaded before the key was deleted, by this process or another', async () => {
    const namespace = `race-${randomUUID()}:`;
    const cache = createCache({ redisUrl: url, namespace });
    // With Redis the delete comes from another process of the host; in memory there is only this one.
    const other = url ? createCache({ redisUrl: url, namespace }) : cache;
    try {
      let release!: () => void;
      let loadBegan!: () => void;
      const began = new Promise<void>((resolve) => (loadBegan = resolve));
      const slowLoad = cache.getOrLoad('tenant:1', 60_000, () => {
        loadBegan();
        return new Promise<string>((resolve) => (release = () => resolve('old quotas')));
      });
      await began; // the load is reading the row (getOrLoad first looks the key up)
      await other.delete('tenant:1'); // the row changed while the load was reading it
      release();
      expect(await slowLoad).toBe('old quotas');
      expect(await cache.get('tenant:1')).toBeUndefined();
      expect(await other.get('tenant:1')).toBeUndefined(); // the old value was not kept, for any process
      expect(await cache.getOrLoad('tenant:1', 60_000, async () => 'new quotas')).toBe('new quotas');
    } finally {
      await Promise.all([cache.close(), other === cache ? undefined : other.close()]);
    }
  });
});
