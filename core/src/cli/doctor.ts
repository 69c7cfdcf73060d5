import { createCache } from '../cache/cache.js';
import { ConfigError, loadConfig } from '../config/load-config.js';
import type { PlinthConfig } from '../config/variables.js';
import { resolveDatabase } from '../db/connect.js';
import { createDatabase } from '../db/database.js';
import { migrationStatus } from '../db/migrator.js';
import { coreMigrations } from '../db/migrations/index.js';
import { createLogger } from '../logger.js';

interface Finding {
  ok: boolean;
  what: string;
  detail: string;
  fix?: string;
}

/** `plinth doctor`: prints one line per check and how to fix each failure; returns the exit code. */
export async function runDoctor(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Promise<number> {
  const findings: Finding[] = [checkNode()];
  let config: PlinthConfig | undefined;
  try {
    config = await loadConfig({ env, cwd });
    findings.push({ ok: true, what: 'config', detail: `valid (${config.env}, data dir ${config.dataDir})` });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    findings.push({
      ok: false,
      what: 'config',
      detail: error.message,
      fix: 'correct the variable or plinth.config file; docs/configuration.md lists every setting',
    });
  }
  if (config) {
    findings.push(await checkDatabase(config));
    findings.push(await checkRedis(config));
  }
  for (const finding of findings) {
    console.log(`${finding.ok ? 'ok  ' : 'FAIL'}  ${finding.what}: ${finding.detail}`);
    if (!finding.ok && finding.fix) console.log(`      fix: ${finding.fix}`);
  }
  const failed = findings.filter((finding) => !finding.ok).length;
  console.log(failed === 0 ? 'Everything looks right.' : `${failed} problem(s) found.`);
  return failed === 0 ? 0 : 1;
}

function checkNode(): Finding {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const ok = major > 20 || (major === 20 && minor >= 19);
  return { ok, what: 'node', detail: `v${process.versions.node}`, fix: 'install Node.js 20.19 or newer' };
}

async function checkDatabase(config: PlinthConfig): Promise<Finding> {
  const what = config.databaseUrl ? 'database' : 'database (embedded)';
  let target;
  try {
    target = await resolveDatabase(config, createLogger('silent'));
  } catch (error) {
    return {
      ok: false,
      what,
      detail: (error as Error).message || String(error),
      fix: config.databaseUrl
        ? 'start the PostgreSQL server, or fix DATABASE_URL (unset it to use the embedded server)'
        : 'see the message above, or set DATABASE_URL to use your own server',
    };
  }
  const database = createDatabase({ url: target.url, poolMax: 1 });
  try {
    const row = (await database.knex.raw('show server_version')).rows[0] as { server_version: string };
    const pending = (await migrationStatus(database.knex, 'core', coreMigrations)).filter((status) => !status.appliedAt).length;
    const detail = `PostgreSQL ${row.server_version}, ${pending === 0 ? 'migrations applied' : `${pending} migration(s) pending (applied by "plinth start" or "plinth migrate")`}`;
    return { ok: true, what, detail };
  } catch (error) {
    const code = (error as { code?: string }).code;
    return {
      ok: false,
      what,
      detail: `${code ? `${code}: ` : ''}${(error as Error).message}`,
      fix:
        code === 'ECONNREFUSED'
          ? 'start the PostgreSQL server, or unset DATABASE_URL to use the embedded one'
          : 'check the URL, user, password and database name in DATABASE_URL',
    };
  } finally {
    await database.destroy();
    await target.release();
  }
}

async function checkRedis(config: PlinthConfig): Promise<Finding> {
  if (!config.redisUrl) return { ok: true, what: 'cache', detail: 'in-process memory (set REDIS_URL to share it across processes)' };
  const cache = await createCache({ redisUrl: config.redisUrl, namespace: config.redisPrefix });
  try {
    const ok = await cache.ping(2000);
    return ok
      ? { ok, what: 'cache', detail: `Redis at ${redactUrl(config.redisUrl)} answers` }
      : {
          ok,
          what: 'cache',
          detail: `Redis at ${redactUrl(config.redisUrl)} does not answer`,
          fix: 'start Redis, fix REDIS_URL, or unset it to use the in-process cache',
        };
  } finally {
    await cache.close();
  }
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
