import { fork } from 'node:child_process';

/**
 * Forks `bench/servers/<file>` with `env` added to the environment and waits for the URL it reports (see `serve`).
 * With BENCH_PROFILE set to a folder, the server writes a CPU profile there when it stops.
 * `stats()` returns the CPU time (user + system, µs) the server has used so far and its resident memory now.
 */
export function startServer(file, env = {}) {
  const execArgv = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child = fork(new URL(`../servers/${file}`, import.meta.url), { env: { ...process.env, ...env }, stdio: 'inherit', execArgv });
  return new Promise((resolve, reject) => {
    child.once('message', ({ url }) =>
      resolve({
        url,
        stats: () => new Promise((done) => (child.once('message', ({ cpu, rss }) => done({ cpu: cpu.user + cpu.system, rss })), child.send('cpu'))),
        stop: () => new Promise((done) => (child.once('exit', done), child.send('stop'))),
      }),
    );
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
}

/**
 * The server's side of `startServer`: reports `url` to the driver, answers its `cpu` message with the process's
 * CPU usage and resident memory, and on `stop` awaits `stop()` and exits. Loads no Plinth code.
 */
export function serve(url, stop) {
  process.send?.({ url });
  process.on('message', (message) => {
    if (message === 'cpu') process.send?.({ cpu: process.cpuUsage(), rss: process.memoryUsage().rss });
    if (message === 'stop') stop().then(() => process.exit(0));
  });
}
