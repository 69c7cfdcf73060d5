import autocannon from 'autocannon';
import { startServer } from './server.js';

const knobs = { duration: 'BENCH_DURATION', rounds: 'BENCH_ROUNDS', connections: 'BENCH_CONNECTIONS' };

/**
 * The run's settings named in `defaults` (`duration` in seconds per load, `rounds`, `connections`), each from its
 * variable (BENCH_DURATION, BENCH_ROUNDS, BENCH_CONNECTIONS) when set, otherwise the script's default.
 *
 * @example
 * const { duration, connections } = settings({ duration: 10, connections: 10 });
 */
export function settings(defaults) {
  return Object.fromEntries(Object.entries(defaults).map(([name, fallback]) => [name, Number(process.env[knobs[name]] ?? fallback)]));
}

/**
 * Loads `url` with autocannon for `seconds` over `connections` connections. `request` is an autocannon request
 * (`method`, `setupRequest` to vary the path or body); without it, every request is a GET of `url`. Throws on any
 * non-2xx answer or error. Latencies are in ms.
 */
export async function load(url, { seconds, connections, headers, request }) {
  const result = await autocannon({ url, connections, duration: seconds, headers, requests: request && [request] });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max };
}

/** The middle value (the upper one of an even count). */
export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Starts every target's server (`{ file, env }`, see `startServer`) and keeps them all running; after a 2 s warm-up
 * of each, every round loads every target once (`load` with the target's `headers` and `request`), in a rotating
 * order. A machine drifts during a run (a later target measured alone comes out slower), so interleaving is what
 * makes the ratios comparable. Returns per target the medians of requests/s, p50, p99 and server CPU µs per request,
 * and the largest resident memory seen, in MB.
 */
export async function measureAll(targets, { rounds, duration, connections }) {
  const servers = [];
  try {
    for (const target of targets) servers.push(await startServer(target.file, target.env));
    const loadTarget = (index, seconds) => load(servers[index].url, { seconds, connections, headers: targets[index].headers, request: targets[index].request });
    for (const index of targets.keys()) await loadTarget(index, 2);
    const results = targets.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (let step = 0; step < targets.length; step++) {
        const index = (step + round) % targets.length;
        const before = await servers[index].stats();
        const run = await loadTarget(index, duration);
        const after = await servers[index].stats();
        results[index].push({ ...run, cpuPerRequest: (after.cpu - before.cpu) / (run.rps * duration), rss: after.rss });
      }
    }
    return results.map((runs) => ({
      rps: median(runs.map((run) => run.rps)),
      p50: median(runs.map((run) => run.p50)),
      p99: median(runs.map((run) => run.p99)),
      cpuPerRequest: median(runs.map((run) => run.cpuPerRequest)),
      rssMb: Math.max(...runs.map((run) => run.rss)) / 1024 / 1024,
    }));
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

/**
 * One line of a `measureAll` table: requests/s, p50/p99, the ratio to `baseline`'s requests/s, CPU per request
 * (with the baseline's CPU per request over this one's when `cpuRatio`), and resident memory. `width` pads the label.
 */
export function row(label, result, baseline, { width = 58, cpuRatio = true } = {}) {
  const cpu = `${result.cpuPerRequest.toFixed(0).padStart(4)} µs CPU/req${cpuRatio ? ` (${(baseline.cpuPerRequest / result.cpuPerRequest).toFixed(2)}×)` : ''}`;
  return `${label.padEnd(width)} ${result.rps.toFixed(0).padStart(8)} req/s   p50 ${String(result.p50).padStart(4)} ms   p99 ${String(result.p99).padStart(4)} ms   ${(result.rps / baseline.rps).toFixed(2)}×   ${cpu}   RSS ${result.rssMb.toFixed(0)} MB`;
}
