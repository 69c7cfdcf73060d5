import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const pluginsDir = fileURLToPath(new URL('../..', import.meta.url));
/** The packages with console web code: the console itself, and the plugins whose screens are custom elements. */
const webPackages = ['console', 'bio-sites', 'lms', 'shop'].map((name) => path.join(pluginsDir, name));
/** The build every plugin's elements share. */
const sharedSources = [fileURLToPath(new URL('../../../web-kit', import.meta.url))];
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

/** The oldest modification time of the files directly in a directory (0 when there is none). */
function oldestBuilt(directory: string): number {
  const files = readdirSync(directory, { withFileTypes: true }).filter((entry) => entry.isFile());
  return files.length === 0 ? 0 : Math.min(...files.map((entry) => statSync(path.join(directory, entry.name)).mtimeMs));
}

function isFresh(packageDir: string): boolean {
  // A plugin with no screens yet has nothing to build.
  const webDir = path.join(packageDir, 'web');
  if (!statSync(webDir, { throwIfNoEntry: false })) return true;
  if (!packageDir.endsWith(`${path.sep}console`) && !readdirSync(webDir).some((name) => /-.*\.tsx$/.test(name))) return true;
  const outDir = path.join(packageDir, 'web-dist');
  if (!statSync(outDir, { throwIfNoEntry: false })) return false;
  const sources = Math.max(newest(path.join(packageDir, 'web')), newest(path.join(packageDir, 'vite.config.ts')), ...sharedSources.map(newest));
  return oldestBuilt(outDir) > sources;
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

/** Builds the console and the plugins' screens with Vite where `web-dist` is missing or older than its sources. */
export async function ensureWebBuilt(): Promise<void> {
  const stale = () => webPackages.filter((packageDir) => !isFresh(packageDir));
  if (stale().length === 0) return;
  await acquireLock();
  try {
    for (const packageDir of stale()) await buildPackage(packageDir);
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

async function buildPackage(packageDir: string): Promise<void> {
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
}
