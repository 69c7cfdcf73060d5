import { randomUUID } from 'node:crypto';
import { createClient } from '@keyv/redis';
import { describe, expect, it } from 'vitest';
import { createCache } from '../../src/cache/cache.js';
import { createRateLimiter } from '../../src/http/rate-limiter.js';

// `.ci/run` sets REDIS_URL; without it only the memory store runs.
const redisUrl = process.env.REDIS_URL;
const stores = [{ name: 'memory', redisUrl: undefined }, ...(redisUrl ? [{ name: 'redis', redisUrl }] : [])];

describe.each(stores)('rate limiter on $name', ({ redisUrl: url }) => {
  it('admits exactly the limit of a burst sent at once, and counts no refused event', async () => {
    const cache = await createCache({ redisUrl: url, namespace: `test-${randomUUID()}:` });
    try {
      const limiter = createRateLimiter(cache);
      for (let n = 0; n < 6; n += 1) expect((await limiter.hit('burst', 10, 60_000)).allowed).toBe(true);
      const burst = await Promise.all(Array.from({ length: 16 }, () => limiter.hit('burst', 10, 60_000)));
      expect(burst.filter((result) => result.allowed)).toHaveLength(4);
      const peek = await limiter.peek('burst', 10, 60_000);
      expect(peek).toMatchObject({ allowed: false, count: 11 });
      expect(peek.retryAfterSeconds).toBeGreaterThan(0);
      expect(peek.retryAfterSeconds).toBeLessThanOrEqual(60);
    } finally {
      await cache.close();
    }
  });

  it('takes several keys all or nothing, and gives a count back', async () => {
    const cache = await createCache({ redisUrl: url, namespace: `test-${randomUUID()}:` });
    try {
      const limiter = createRateLimiter(cache);
      expect((await limiter.take(['ip', 'email'], 2, 60_000)).allowed).toBe(true);
      expect((await limiter.take(['ip'], 2, 60_000)).allowed).toBe(true);
      // `ip` is full: nothing is counted on `email` either (a peek says what the next count would be).
      expect((await limiter.take(['ip', 'email'], 2, 60_000)).allowed).toBe(false);
      expect(await limiter.peek('email', 2, 60_000)).toMatchObject({ allowed: true, count: 2 });
      await limiter.giveBack(['ip', 'email']);
      expect(await limiter.peek('ip', 2, 60_000)).toMatchObject({ allowed: true, count: 2 });
      expect(await limiter.peek('email', 2, 60_000)).toMatchObject({ allowed: true, count: 1 });
      expect((await limiter.take(['ip', 'email'], 2, 60_000)).allowed).toBe(true);
      expect(await limiter.peek('ip', 2, 60_000)).toMatchObject({ allowed: false, count: 3 });
      await limiter.reset('ip');
      expect(await limiter.peek('ip', 2, 60_000)).toMatchObject({ allowed: true, count: 1 });
    } finally {
      await cache.close();
    }
  });

  it('starts a new window when the old one ends', async () => {
    const cache = await createCache({ redisUrl: url, namespace: `test-${randomUUID()}:` });
    try {
      const limiter = createRateLimiter(cache);
      expect((await limiter.hit('short', 1, 50)).allowed).toBe(true);
      expect((await limiter.hit('short', 1, 50)).allowed).toBe(false);
      await expect.poll(async () => (await limiter.hit('short', 1, 50)).allowed, { interval: 10 }).toBe(true);
    } finally {
      await cache.close();
    }
  });
});

describe('rate limiter in memory', () => {
  it('answers synchronously, so the request path does not wait on it', async () => {
    const cache = await createCache({});
    const limiter = createRateLimiter(cache);
    const result = limiter.hit('tenant:1', 1, 60_000);
    expect(result).not.toBeInstanceOf(Promise);
    expect(result).toMatchObject({ allowed: true, count: 1 });
    expect(limiter.hit('tenant:1', 1, 60_000)).toMatchObject({ allowed: false, count: 2 });
    await cache.close();
  });
});

describe.runIf(redisUrl)('Redis key prefix', () => {
  it('puts every key the cache and the limiter write under the prefix, and nothing else', async () => {
    const prefix = `test-${randomUUID()}:`;
    const cache = await createCache({ redisUrl, namespace: prefix });
    const redis = createClient({ url: redisUrl });
    await redis.connect();
    try {
      await cache.set('tenant:1', { slug: 'one' }, 60_000);
      await cache.delete('tenant:2');
      await createRateLimiter(cache).hit('login:ip:10.0.0.1', 10, 60_000);
      const keys = await redis.keys(`*${prefix}*`);
      expect(keys.sort()).toEqual([`${prefix}deleted:tenant:2`, `${prefix}rl:login:ip:10.0.0.1`, `${prefix}tenant:1`]);
    } finally {
      await redis.del(await redis.keys(`${prefix}*`));
      await redis.close();
      await cache.close();
    }
  });
});
