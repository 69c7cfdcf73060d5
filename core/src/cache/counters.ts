import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/**
 * Counters that count atomically (rate limits): in this process, or in Redis, where one Lua script per call
 * makes them atomic across every process of the host. In memory every call is synchronous, so the hot
 * request path does not wait a turn of the event loop for them.
 */
export interface Counters {
  /**
   * Adds one to every key when each stays within `limit`, else to none: all or nothing. A key lives `ttlMs`
   * from its first count. `count` is the highest count after taking (or, refused, the highest it would have
   * reached), `ttlMs` the longest time left on those keys.
   */
  take(keys: readonly string[], limit: number, ttlMs: number): CountResult | Promise<CountResult>;
  /** Takes one back from each key that still exists and is above zero (a taken count that turned out not to count). */
  giveBack(keys: readonly string[]): void | Promise<void>;
  /** The count of `key` and the time left on it (0 and 0 when it does not exist). */
  read(key: string): CountState | Promise<CountState>;
  delete(key: string): void | Promise<void>;
}

export interface CountState {
  count: number;
  ttlMs: number;
}

export interface CountResult extends CountState {
  taken: boolean;
}

/** In-process counters in a bounded LRU (an idle key's slot is reused first). */
export function memoryCounters(max = 100_000): Counters {
  const counts = new LRUCache<string, { count: number; expiresAt: number }>({ max });
  const live = (key: string, now: number) => {
    const entry = counts.get(key);
    if (entry && entry.expiresAt <= now) {
      counts.delete(key);
      return undefined;
    }
    return entry;
  };
  return {
    take(keys, limit, ttlMs) {
      const now = Date.now();
      const entries = keys.map((key) => live(key, now));
      const taken = entries.every((entry) => (entry?.count ?? 0) + 1 <= limit);
      let count = 0;
      let left = 0;
      keys.forEach((key, index) => {
        let entry = entries[index];
        const next = (entry?.count ?? 0) + 1;
        if (taken) {
          if (!entry) counts.set(key, (entry = { count: 0, expiresAt: now + ttlMs }));
          entry.count = next;
        } else if (next <= limit) {
          return; // refused: only the keys that are full say how long to wait
        }
        count = Math.max(count, next);
        left = Math.max(left, entry ? entry.expiresAt - now : ttlMs);
      });
      return { taken, count, ttlMs: left };
    },
    giveBack(keys) {
      const now = Date.now();
      for (const key of keys) {
        const entry = live(key, now);
        if (entry && entry.count > 0) entry.count -= 1;
      }
    },
    read(key) {
      const now = Date.now();
      const entry = live(key, now);
      return entry ? { count: entry.count, ttlMs: entry.expiresAt - now } : { count: 0, ttlMs: 0 };
    },
    delete(key) {
      counts.delete(key);
    },
  };
}

/** What the counters need of a node-redis client. */
export interface ScriptClient {
  evalSha(sha: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  del(key: string): Promise<unknown>;
}

// KEYS: the counters; ARGV: limit, ttl in ms. Checks every key first, then counts on all of them or none.
const takeScript = `
local limit, ttl = tonumber(ARGV[1]), tonumber(ARGV[2])
local nexts, ttls, full = {}, {}, false
for i, key in ipairs(KEYS) do
  nexts[i] = tonumber(redis.call('GET', key) or '0') + 1
  ttls[i] = redis.call('PTTL', key)
  if nexts[i] > limit then full = true end
end
local count, left = 0, 0
for i, key in ipairs(KEYS) do
  if not full then
    redis.call('INCR', key)
    if ttls[i] < 0 then redis.call('PEXPIRE', key, ttl); ttls[i] = ttl end
  end
  if (not full) or nexts[i] > limit then
    if nexts[i] > count then count = nexts[i] end
    if ttls[i] > left then left = ttls[i] end
  end
end
return {full and 0 or 1, count, left}`;

const giveBackScript = `
for _, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') > 0 then redis.call('DECR', key) end
end
return 0`;

const readScript = `return {tonumber(redis.call('GET', KEYS[1]) or '0'), redis.call('PTTL', KEYS[1])}`;

/** Counters in Redis under `prefix`; each call is one script, atomic across processes (one Redis, not a cluster). */
export function redisCounters(client: () => Promise<ScriptClient>, prefix: string): Counters {
  const run = async (script: { text: string; sha: string }, keys: readonly string[], args: string[] = []) => {
    const redis = await client();
    const options = { keys: keys.map((key) => `${prefix}${key}`), arguments: args };
    try {
      return (await redis.evalSha(script.sha, options)) as number[];
    } catch (error) {
      // The server has not seen the script yet (or forgot it on restart): send it whole once.
      if (!String((error as Error).message).startsWith('NOSCRIPT')) throw error;
      return (await redis.eval(script.text, options)) as number[];
    }
  };
  const take = loaded(takeScript);
  const giveBack = loaded(giveBackScript);
  const read = loaded(readScript);
  return {
    async take(keys, limit, ttlMs) {
      const [taken, count, left] = await run(take, keys, [String(limit), String(Math.max(1, Math.ceil(ttlMs)))]);
      return { taken: taken === 1, count: Number(count), ttlMs: Number(left) };
    },
    async giveBack(keys) {
      await run(giveBack, keys);
    },
    async read(key) {
      const [count, left] = await run(read, [key]);
      return { count: Number(count), ttlMs: Math.max(0, Number(left)) };
    },
    async delete(key) {
      await (await client()).del(`${prefix}${key}`);
    },
  };
}

function loaded(text: string) {
  return { text, sha: createHash('sha1').update(text).digest('hex') };
}
