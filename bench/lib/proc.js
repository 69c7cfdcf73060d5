// CPU time and memory of processes on this machine, read from Linux's /proc: the benchmark's servers, and the
// PostgreSQL backends serving its database (see `postgresCpu` in database.js).
import { readdirSync, readFileSync } from 'node:fs';
import { clearInterval, setInterval } from 'node:timers';

/** µs per clock tick of /proc/<pid>/stat: USER_HZ is 100 on every Linux that Node runs on. */
const tickUs = 10_000;

/** The fields of /proc/<pid>/stat after the command name; `fields[n - 3]` is the man page's field n. */
function statFields(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** The CPU time (user + system, µs) in a process's stat fields. */
const cpuOf = (fields) => (Number(fields[11]) + Number(fields[12])) * tickUs;

/** CPU time (user + system, µs) process `pid` has used so far. */
export const processCpu = (pid) => cpuOf(statFields(pid));

/** Resident memory of process `pid` now, in bytes. */
export function processRss(pid) {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

/**
 * CPU time (µs) used so far by each child of process `parent` whose command line includes `text`: a map from pid.
 * PostgreSQL's backends are its postmaster's children, titled with the database they serve.
 */
export function childrenCpu(parent, text) {
  const cpu = new Map();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const fields = statFields(pid);
      if (Number(fields[1]) !== parent || !readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text)) continue;
      cpu.set(pid, cpuOf(fields));
    } catch {
      // The process ended while being read.
    }
  }
  return cpu;
}

/** The parent process id of `pid`. */
export const parentPid = (pid) => Number(statFields(pid)[1]);

/**
 * Samples the resident memory of process `pid` every `everyMs` ms from now (and once at once). `stop()` ends the
 * sampling, takes a last sample, and returns `{ before, max, after, samples }` in bytes: the first sample, the
 * largest, the last, and how many were taken.
 *
 * @example
 * const rss = sampleRss(server.pid); await transfer(); const { before, max } = rss.stop();
 */
export function sampleRss(pid, everyMs = 100) {
  const before = processRss(pid);
  let max = before;
  let last = before;
  let samples = 1;
  const sample = () => {
    last = processRss(pid);
    max = Math.max(max, last);
    samples += 1;
  };
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { before, max, after: last, samples };
    },
  };
}

/**
 * The environment that makes a Node server (`startPlinth`, `startServer`) log its own memory every 100 ms to `file`
 * (`memory-probe.js`, preloaded with `--import`: V8's heap, memory outside it, ArrayBuffers and Buffers, resident),
 * and `between(start, end)`, for `Date.now()` times: the sample just before `start` and the largest of each figure
 * up to `end`, in bytes. With `collect`, the server runs a full garbage collection before each sample
 * (`--expose-gc`): what remains is memory in use, not garbage waiting for a collection.
 */
export function memoryProbe(file, { collect = false } = {}) {
  const probe = new URL('./memory-probe.js', import.meta.url).href;
  const options = [process.env.NODE_OPTIONS ?? '', `--import ${probe}`, collect ? '--expose-gc' : ''];
  const env = { BENCH_MEMORY_LOG: file, BENCH_MEMORY_GC: collect ? '1' : '', NODE_OPTIONS: options.join(' ').trim() };
  const fields = ['rss', 'heapTotal', 'heapUsed', 'external', 'arrayBuffers'];
  function between(start, end) {
    const samples = readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    const before = samples.filter((sample) => sample.time <= start).at(-1) ?? samples[0];
    const during = samples.filter((sample) => sample.time > start && sample.time <= end);
    const max = Object.fromEntries(fields.map((field) => [field, Math.max(before[field], ...during.map((sample) => sample[field]))]));
    return { before, max };
  }
  return { env, between };
}
