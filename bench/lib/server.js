import { fork, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { processCpu, processRss } from './proc.js';

/** With BENCH_PROFILE set to a folder, Node writes a CPU profile of each server there when it stops. */
const profile = () => [
  ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []),
  // Node flags for the servers only (`BENCH_NODE_ARGS=--trace-gc`: NODE_OPTIONS refuses some, and would reach the bench too).
  ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
];

/**
 * A server process as the measurements see it: `url`, `pid`, `stats()` (the CPU time, user + system in µs, it has
 * used so far and its resident memory now, from /proc) and `stop()`.
 */
function server(child, url, stop) {
  return { url, pid: child.pid, stats: () => ({ cpu: processCpu(child.pid), rss: processRss(child.pid) }), stop };
}

/** Resolves with `found(…)` once it returns a value, or rejects when `child` exits first. */
function waitFor(child, what, found) {
  return new Promise((resolve, reject) => {
    const exited = (code) => reject(new Error(`${what} exited with ${code}`));
    child.once('exit', exited);
    found((value) => {
      child.off('exit', exited);
      resolve(value);
    });
  });
}

/**
 * Forks `bench/servers/<file>` with `env` added to the environment and waits for the URL it reports (see `serve`).
 */
export function startServer(file, env = {}) {
  const child = fork(new URL(`../servers/${file}`, import.meta.url), { env: { ...process.env, ...env }, stdio: 'inherit', execArgv: profile() });
  const stop = () => new Promise((done) => (child.once('exit', done), child.send('stop')));
  return waitFor(child, file, (resolve) => child.once('message', ({ url }) => resolve(server(child, url, stop))));
}

/**
 * The bare baseline as a `measureAll` target: `servers/bare.js` (Koa + pg, a prepared select by primary key) reading
 * the `bench_items` of `createBenchItems` by id, 1 to `rows` in turn.
 */
export function bareTarget(databaseUrl, rows) {
  let next = 0;
  return {
    file: 'bare.js',
    env: { BENCH_DATABASE_URL: databaseUrl },
    request: { setupRequest: (request) => ({ ...request, path: `${request.path}/${(next++ % rows) + 1}` }) },
  };
}

/**
 * The server's side of `startServer`: reports `url` to the driver, and on `stop` awaits `stop()` and exits.
 * Loads no Plinth code.
 */
export function serve(url, stop) {
  process.send?.({ url });
  process.on('message', (message) => {
    if (message === 'stop') stop().then(() => process.exit(0));
  });
}

/**
 * Runs `plinth start` as a host does (`node core/bin/plinth.js start`, in `cwd`, with `env` added to the
 * environment) and waits for the URL it prints (a worker prints none: its `url` is undefined). Its output goes to stderr, so a `BENCH_JSON` run keeps stdout to
 * the results. `stop()` sends SIGTERM and waits for the exit. `cli` runs another build (another checkout's
 * `core/bin/plinth.js`).
 */
export function startPlinth({ cwd, env, cli = fileURLToPath(new URL('../../core/bin/plinth.js', import.meta.url)) }) {
  const child = spawn(process.execPath, [...profile(), cli, 'start'], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const running = () => child.exitCode === null && child.signalCode === null;
  const stop = () => new Promise((done) => (running() ? (child.once('exit', done), child.kill('SIGTERM')) : done()));
  return waitFor(child, 'plinth start', (resolve) =>
    createInterface({ input: child.stdout }).on('line', (line) => {
      process.stderr.write(`${line}\n`);
      const url = /^Plinth is running at (\S+)/.exec(line)?.[1];
      if (url || line.startsWith('Plinth worker is running')) resolve(server(child, url, stop));
    }),
  );
}
