// Near-cache micro-benchmark: the per-request cache lookups of a plugin read (tenant, user state, plugin state,
// access: `peek(key) ?? await getOrLoad(key, …)`, as core's resolvers write them), all hits, timed on the memory
// store, on Redis without the in-process tier, and on Redis with it. One process, one lookup at a time, so the
// figures are the latency each request waits for, not Redis's throughput.
// Needs core built (`npm run build`) and REDIS_URL; BENCH_LOOKUPS (100,000) lookups per store in each of BENCH_ROUNDS
// (3) interleaved rounds, after a warm-up; prints the medians.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createCache } from '../core/dist/cache/cache.js';
import { median } from './lib/measure.js';

const lookups = Number(process.env.BENCH_LOOKUPS ?? 100_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const redisUrl = process.env.REDIS_URL;
if (!redisUrl) {
  console.log('cache-tier: set REDIS_URL (e.g. redis://127.0.0.1:6379) to compare Redis with and without the near tier');
  process.exit(0);
}

// What one plugin read looks up, with values of about their real size.
const keys = ['tenant:slug:bench', 'user:u1', 'plugins:t1', 'access:t1:u1:7', 'tenant:id:t1', 'api-token:t1:h1'];
const value = (key) => ({ key, status: 'active', settings: { crm: { defaultSource: 'manual' } }, permissions: ['crm.contacts.view', 'crm.contacts.manage'] });

/** Each of `keys` looked up in turn until `count` lookups; µs per lookup. */
async function time(cache, count) {
  let misses = 0;
  const load = async () => {
    misses += 1;
    return 'loaded';
  };
  const start = performance.now();
  for (let n = 0; n < count; n += 1) {
    const key = keys[n % keys.length];
    if (cache.peek(key) === undefined) await cache.getOrLoad(key, 60_000, load);
  }
  const elapsed = performance.now() - start;
  if (misses > 0) throw new Error(`${misses} lookups missed: the figures would time loads`);
  return (elapsed * 1000) / count;
}

/** A cache of `options` holding every key, its near tier (if any) filled. */
async function open(options) {
  const cache = createCache({ namespace: `bench-tier-${randomUUID()}:`, ...options });
  for (const key of keys) await cache.set(key, value(key), 600_000);
  // The tier holds values only once its subscriber is subscribed (a few ms after first use).
  const tiered = options.redisUrl && options.near !== false;
  const filled = () => !tiered || keys.every((key) => cache.peek(key) !== undefined);
  for (const deadline = Date.now() + 5000; !filled(); await sleep(10)) {
    if (Date.now() > deadline) throw new Error('the near tier did not fill within 5 s');
    for (const key of keys) await cache.get(key);
  }
  await time(cache, Math.min(lookups, 10_000)); // warm-up
  return cache;
}

const stores = [
  { name: 'memory store', options: {} },
  { name: 'Redis, no near tier', options: { redisUrl, near: false } },
  { name: 'Redis, near tier', options: { redisUrl } },
];
console.log(`cache lookups (all hits): ${lookups} per store and round, one at a time; medians of ${rounds} interleaved rounds`);
const caches = await Promise.all(stores.map((store) => open(store.options)));
try {
  const figures = stores.map(() => []);
  for (let round = 0; round < rounds; round += 1) {
    for (const [index, cache] of caches.entries()) figures[index].push(await time(cache, lookups));
  }
  const medians = figures.map(median);
  stores.forEach((store, index) => {
    const perLookup = medians[index];
    console.log(
      `${store.name.padEnd(24)} ${perLookup.toFixed(2).padStart(8)} µs/lookup   ${(perLookup * keys.length).toFixed(1).padStart(8)} µs per read of ${keys.length} lookups`,
    );
  });
  console.log(`near tier: ${(medians[1] / medians[2]).toFixed(0)}× less time per lookup than Redis alone`);
} finally {
  await Promise.all(caches.map((cache) => cache.close()));
}
