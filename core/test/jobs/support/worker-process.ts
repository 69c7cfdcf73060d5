import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../../bin/plinth.js', import.meta.url));
const root = fileURLToPath(new URL('../../../../', import.meta.url));

/** A `plinth start --role worker|api` process (from the build, as a host runs it). */
export interface WorkerProcess {
  child: ChildProcess;
  /** Where an API process listens. */
  url: string | undefined;
  /** Its output so far (for a failure's message). */
  output(): string;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<void>;
  /** SIGTERM, then waits for the exit (a graceful stop). */
  stop(): Promise<number | null>;
}

/** Starts a worker with `env` and waits (bounded) until it says it is running. */
export const startWorker = (env: Record<string, string>, timeoutMs?: number) => startPlinth('worker', env, timeoutMs);

/** Starts `plinth start --role <role>` (on a free port) with `env` and waits (bounded) until it says it is running. */
export async function startPlinth(role: 'worker' | 'api', env: Record<string, string>, timeoutMs = 20_000): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [bin, 'start', '--role', role, '--port', '0'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', PLINTH_CONSOLE: 'false', ...env },
  });
  let output = '';
  let url: string | undefined;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker not running after ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      url ??= /Plinth is running at (\S+)/.exec(output)?.[1];
      if (output.includes('Plinth worker is running') || url) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code} before it ran:\n${output}`));
    });
  });
  return {
    child,
    url,
    output: () => output,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
