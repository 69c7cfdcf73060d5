// Reads V8 CPU profiles (`--cpu-prof`, JSON): where a server's time went, summed by function and by file.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** A frame's file, shortened to what names it: `core/dist/…`, `node_modules/<package>/…`, `node:…`, or `(program)`-like names. */
function fileOf(url) {
  if (!url) return '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules);
  const repoPath = /\/(core|sdk|plugins\/[^/]+|bench)\/(.*)$/.exec(url);
  return repoPath ? `${repoPath[1]}/${repoPath[2]}` : url.replace(/^file:\/\//, '');
}

/**
 * Self time (µs) of the profile in `file`, summed per function (`name file:line`) and per file, largest first, with
 * the total sampled time. Idle time is `(idle)`; `(garbage collector)` and `(program)` are V8's own. With `from` and
 * `to` (µs of the monotonic clock, `monotonicUs()` of any process on the machine), only the samples between them.
 */
export function selfTimes(file, { from = -Infinity, to = Infinity } = {}) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byFunction = new Map();
  const byFile = new Map();
  let total = 0;
  let at = profile.startTime;
  const add = (map, key, us) => map.set(key, (map.get(key) ?? 0) + us);
  for (let index = 0; index < profile.samples.length; index++) {
    at += profile.timeDeltas[index];
    const us = profile.timeDeltas[index + 1] ?? 0;
    if (at < from || at > to) continue;
    const { callFrame } = nodes.get(profile.samples[index]);
    const where = fileOf(callFrame.url);
    add(byFunction, `${callFrame.functionName || '(anonymous)'} ${where}:${callFrame.lineNumber + 1}`, us);
    add(byFile, callFrame.url ? where : callFrame.functionName, us);
    total += us;
  }
  const sorted = (map) => [...map].sort((a, b) => b[1] - a[1]);
  return { total, functions: sorted(byFunction), files: sorted(byFile) };
}

/** Now on the clock of V8's profiles (the monotonic clock, shared by every process of the machine), in µs. */
export const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** The `.cpuprofile` files in `folder`, newest last. */
export const profilesIn = (folder) =>
  readdirSync(folder)
    .filter((name) => name.endsWith('.cpuprofile'))
    .sort()
    .map((name) => path.join(folder, name));

/** The `top` largest entries of a `selfTimes` list as lines: ms and share of the busy (non-idle) time. */
export function topLines(entries, busyUs, top = 25) {
  return entries
    .filter(([name]) => !name.startsWith('(idle)'))
    .slice(0, top)
    .map(([name, us]) => `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / busyUs).toFixed(1).padStart(5)}%  ${name}`);
}

/**
 * Two profiles side by side, per request: the busy µs per request of each (`requests` each made in the window), then
 * the `top` functions whose self time per request grew most from the first to the second, and those that shrank most.
 */
export function compareLines([first, second], window, top = 25) {
  const perRequest = ({ file, requests }) => {
    const { functions } = selfTimes(file, window);
    return new Map(functions.filter(([name]) => !name.startsWith('(idle)')).map(([name, us]) => [name, us / requests]));
  };
  const [a, b] = [perRequest(first), perRequest(second)];
  const busy = (map) => [...map.values()].reduce((sum, us) => sum + us, 0);
  const rows = [...new Set([...a.keys(), ...b.keys()])].map((name) => ({ name, a: a.get(name) ?? 0, b: b.get(name) ?? 0 }));
  rows.sort((x, y) => y.b - y.a - (x.b - x.a));
  const line = ({ name, a: before, b: after }) =>
    `${before.toFixed(1).padStart(7)} ${after.toFixed(1).padStart(7)} ${(after - before).toFixed(1).padStart(7)}  ${name}`;
  return [
    `busy CPU µs per request (profiled): ${first.label} ${busy(a).toFixed(1)}, ${second.label} ${busy(b).toFixed(1)}`,
    `self µs/req: ${first.label} | ${second.label} | difference — grew most:`,
    ...rows.slice(0, top).map(line),
    'shrank most:',
    ...rows.slice(-Math.ceil(top / 3)).map(line),
  ];
}

/** The layer of the request path a profile's file (or native function) belongs to, for a per-layer summary. */
export function layerOf(file) {
  if (/^(writev|writeBuffer|writeUtf8String|writeLatin1String|writeAsciiString|writeUcs2String|readStart|onStreamRead)$/.test(file))
    return 'socket reads and writes (syscalls)';
  if (file === 'runMicrotasks' || file === 'processTicksAndRejections') return 'promises (microtasks)';
  if (file === '(garbage collector)') return 'garbage collection';
  if (file.startsWith('node:')) return 'node core (HTTP, streams, events, timers)';
  if (
    /node_modules\/(koa|@koa|koa-compose|cookies|accepts|type-is|content-type|statuses|on-finished|fresh|mime|mime-types|negotiator|http-errors|delegates|encodeurl|vary|depd|only|ee-first)\//.test(
      file,
    )
  )
    return 'Koa and router';
  if (/node_modules\/(pg|pg-protocol|pg-types|pg-pool|postgres-[a-z]+|knex|tarn)\//.test(file)) return 'pg driver and knex';
  if (/node_modules\/(@keyv|keyv|@redis|redis|cluster-key-slot|lru-cache|hookified)\//.test(file)) return 'cache (keyv, Redis client, LRU)';
  if (/node_modules\/(ajv|ajv-formats|fast-uri|fast-deep-equal|@sinclair)\//.test(file)) return 'validation (ajv)';
  if (/node_modules\/(pino|pino-std-serializers|sonic-boom|thread-stream|prom-client|tdigest|bintrees)\//.test(file)) return 'logging and metrics';
  if (/node_modules\/jose\//.test(file)) return 'JWT (jose)';
  if (/^core\/dist\/db\//.test(file)) return 'core db layer (scoped-db)';
  if (/^core\/dist\/(http|rbac|auth|tenancy|util)\//.test(file)) return 'core pipeline (tenant, auth, access, reply)';
  if (/^core\/dist\/(plugins|cache)\//.test(file)) return 'core plugin scope and cache';
  if (/^(plugins|sdk)\//.test(file)) return 'plugin handler and SDK';
  return 'V8 and native (JSON, crypto, other)';
}

/** Self µs per request by layer ({@link layerOf}), largest first, of the busy samples of `file` in `window` (default: all). */
export function layerLines(file, window = {}, requests = 1) {
  const { files } = selfTimes(file, window);
  const layers = new Map();
  for (const [name, us] of files) if (!name.startsWith('(idle)')) layers.set(layerOf(name), (layers.get(layerOf(name)) ?? 0) + us / requests);
  const busy = [...layers.values()].reduce((sum, us) => sum + us, 0);
  return [
    ...[...layers]
      .sort((a, b) => b[1] - a[1])
      .map(([layer, us]) => `${us.toFixed(1).padStart(7)} µs/req ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${layer}`),
    `${busy.toFixed(1).padStart(7)} µs/req busy in all`,
  ];
}

// As a script: `node bench/lib/cpu-profile.js <file.cpuprofile> [top]` prints its busiest functions and files.
// `node bench/lib/cpu-profile.js --layers <file.cpuprofile> <requests>` prints self µs per request by layer over the
// whole profile (boot included: compare profiles made the same way).
if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1])) && process.argv[2] === '--layers') {
  const [, file, requests] = process.argv.slice(2);
  for (const line of layerLines(file, {}, Number(requests))) console.log(line);
} else if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const [file, top = '30'] = process.argv.slice(2);
  const { total, functions, files } = selfTimes(file);
  const idle = functions.filter(([name]) => name.startsWith('(idle)')).reduce((sum, [, us]) => sum + us, 0);
  const busy = total - idle;
  console.log(`${file}: ${(busy / 1000).toFixed(0)} ms busy of ${(total / 1000).toFixed(0)} ms`);
  console.log('by function:');
  for (const line of topLines(functions, busy, Number(top))) console.log(line);
  console.log('by file:');
  for (const line of topLines(files, busy, Number(top))) console.log(line);
}
