import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
/** Test files run in parallel processes: one builds while the others wait, then find the build fresh. */
const lockDir = path.join(tmpdir(), 'plinth-console-web-build.lock');
const lockStaleMs = 120_000;

/** The newest modification time under a path (a file, or a directory walked recursively). */
function newest(target: string): number {
  const info = statSync(target, { throwIfNoEntry: false });
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(info.mtimeMs, ...readdirSync(target).map((name) => newest(path.join(target, name))));
}

function isFresh(): boolean {
  const built = newest(path.join(packageDir, 'web-dist', 'index.html'));
  const sources = Math.max(newest(path.join(packageDir, 'web')), newest(path.join(packageDir, 'vite.config.ts')));
  return built > sources;
}

/** Takes the build lock (a directory: creating one is atomic), waiting for another process's build to end. */
async function acquireLock(): Promise<void> {
  const deadline = Date.now() + lockStaleMs;
  for (;;) {
    try {
      mkdirSync(lockDir);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - (statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > lockStaleMs || Date.now() > deadline)
        rmSync(lockDir, { recursive: true, force: true }); // left by a killed run
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Builds the console with Vite when `web-dist` is missing or older than its sources (about a second). */
export async function ensureWebBuilt(): Promise<void> {
  if (isFresh()) return;
  await acquireLock();
  try {
    if (isFresh()) return;
    const { build } = await import('vite');
    // Vitest sets NODE_ENV=test, under which the Preact preset compiles JSX for development (absolute source
    // paths in the bundle); the tests must drive the same bundle `npm run build:web` ships.
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      // Old hashed chunks stay: a test whose page loaded the previous index.html still finds the screens it has not
      // opened yet, while another process rebuilds for newer sources (index.html names only the new ones).
      await build({ configFile: path.join(packageDir, 'vite.config.ts'), mode: 'production', logLevel: 'warn', build: { emptyOutDir: false } });
    } finally {
      process.env.NODE_ENV = nodeEnv;
    }
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}
