// Preloaded into a benchmark's server (`node --import`, see `memoryProbe`) to see where its memory goes: appends
// `process.memoryUsage()` with the time, as a JSON line, to the file named by BENCH_MEMORY_LOG every 100 ms. With
// BENCH_MEMORY_GC=1 (and `--expose-gc`), it runs a full garbage collection before each sample, so that the figures
// are memory in use, not garbage waiting for a collection (and the server runs slower).
import { appendFileSync } from 'node:fs';
import { setInterval } from 'node:timers';

const file = process.env.BENCH_MEMORY_LOG;
const collect = process.env.BENCH_MEMORY_GC === '1' && typeof globalThis.gc === 'function';
if (file) {
  setInterval(() => {
    if (collect) globalThis.gc();
    const { rss, heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage();
    appendFileSync(file, `${JSON.stringify({ time: Date.now(), rss, heapTotal, heapUsed, external, arrayBuffers })}\n`);
  }, 100).unref();
}
