import autocannon from 'autocannon';
import { clearInterval, setInterval, setTimeout } from 'node:timers';
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
  if (result.non2xx > 0 || result.errors > 0) {
    const statuses = Object.entries(result.statusCodeStats).map(([status, { count }]) => `${count} × ${status}`);
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors (${statuses.join(', ')})`);
  }
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max };
}

/** The middle value (the upper one of an even count). */
export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Peak resident memory of `server` while `work` runs (sampled every 200 ms, and at the end), in bytes. */
async function peakRss(server, work) {
  let peak = 0;
  const sample = () => (peak = Math.max(peak, server.stats().rss));
  const timer = setInterval(sample, 200);
  try {
    const result = await work;
    sample();
    return { result, rss: peak };
  } finally {
    clearInterval(timer);
  }
}

/**
 * Waits until `server` and, when given, `postgres` are quiet — at most 10 ms of CPU time each in 100 ms, for up to
 * 5 s — so that requests a load left in flight (a slow route has many queued when autocannon stops) do not count
 * towards the next target.
 */
async function settle(server, postgres) {
  for (let tries = 0; tries < 50; tries++) {
    const before = { cpu: server.stats().cpu, postgres: postgres?.snapshot() };
    await new Promise((done) => setTimeout(done, 100));
    if (server.stats().cpu - before.cpu <= 10_000 && (!postgres || postgres.usedSince(before.postgres) <= 10_000)) return;
  }
}

/**
 * Measures every target, interleaved. A target is a server to load — `{ file, env }`, forked with `startServer`
 * and stopped at the end, or `{ server }`, one the caller started (`startServer`, `startPlinth`) and stops — with
 * the `path` after its URL, the `headers` (or a function returning them, called before each load), the autocannon
 * `request` (see `load`) and a `label` naming it when a load fails. After a 2 s warm-up of each, every round loads
 * every target once, in a rotating order: a machine drifts during a run (a later target measured alone comes out
 * slower), so interleaving is what makes the ratios comparable. After each load, it waits for the server and the
 * database to `settle`; the CPU they used until then counts towards the load. With `postgres` (a `postgresCpu`), it also measures the database's CPU time per request.
 * Returns per target the medians of requests/s, p50, p99, server CPU µs per request (and PostgreSQL's), and the
 * largest resident memory seen under load, in MB.
 */
export async function measureAll(targets, { rounds, duration, connections, postgres }) {
  const started = [];
  try {
    const servers = [];
    for (const target of targets) {
      const server = target.server ?? (await startServer(target.file, target.env));
      if (!target.server) started.push(server);
      servers.push(server);
    }
    const loadTarget = async (index, seconds) => {
      const { path = '', headers, request } = targets[index];
      const options = { seconds, connections, headers: typeof headers === 'function' ? await headers() : headers, request };
      return load(servers[index].url + path, options).catch((error) => {
        throw new Error(`${targets[index].label ?? `target ${index}`}: ${error.message}`);
      });
    };
    for (const index of targets.keys()) {
      await loadTarget(index, 2);
      await settle(servers[index], postgres);
    }
    const results = targets.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (let step = 0; step < targets.length; step++) {
        const index = (step + round) % targets.length;
        const server = servers[index];
        const before = { cpu: server.stats().cpu, postgres: postgres?.snapshot() };
        const { result: run, rss } = await peakRss(server, loadTarget(index, duration));
        await settle(server, postgres);
        const requests = run.rps * duration;
        results[index].push({
          ...run,
          cpuPerRequest: (server.stats().cpu - before.cpu) / requests,
          pgCpuPerRequest: postgres ? postgres.usedSince(before.postgres) / requests : undefined,
          rss,
        });
      }
    }
    return results.map((runs) => ({
      rps: median(runs.map((run) => run.rps)),
      p50: median(runs.map((run) => run.p50)),
      p99: median(runs.map((run) => run.p99)),
      cpuPerRequest: median(runs.map((run) => run.cpuPerRequest)),
      ...(postgres ? { pgCpuPerRequest: median(runs.map((run) => run.pgCpuPerRequest)) } : {}),
      rssMb: Math.max(...runs.map((run) => run.rss)) / 1024 / 1024,
    }));
  } finally {
    await Promise.all(started.map((server) => server.stop()));
  }
}

/** `value` with `digits` decimals, or a dash when it was not measured. */
const figure = (value, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '–');

/**
 * One line of a `measureAll` table: requests/s, p50/p99, the ratio to `baseline`'s requests/s, server CPU per
 * request (with the baseline's over this one's when `cpuRatio`), PostgreSQL's CPU per request when measured (with
 * the same ratio), and resident memory. `width` pads the label.
 */
export function row(label, result, baseline, { width = 58, cpuRatio = true } = {}) {
  const cpu = (value, base) => `${figure(value).padStart(4)} µs/req${cpuRatio ? ` (${figure(base / value, 2)}×)` : ''}`;
  return [
    `${label.padEnd(width)} ${figure(result.rps).padStart(8)} req/s`,
    `p50 ${String(result.p50).padStart(4)} ms`,
    `p99 ${String(result.p99).padStart(4)} ms`,
    `${figure(result.rps / baseline.rps, 2)}×`,
    `CPU ${cpu(result.cpuPerRequest, baseline.cpuPerRequest)}`,
    ...(result.pgCpuPerRequest === undefined ? [] : [`PG ${cpu(result.pgCpuPerRequest, baseline.pgCpuPerRequest)}`]),
    `RSS ${figure(result.rssMb)} MB`,
  ].join('   ');
}
