import { createHash } from 'node:crypto';
import type { Knex } from 'knex';

/** One schema change. `up` and `down` run inside the migrator's transaction. */
export interface Migration {
  /** Unique and ordered within its scope, e.g. `001-create-tenants`. */
  name: string;
  /** Overrides the checksum computed from `up`/`down` (for wrapped migrations, such as plugins'). */
  checksum?: string;
  up(db: Knex.Transaction): Promise<void>;
  down(db: Knex.Transaction): Promise<void>;
}

export interface MigrationStatus {
  scope: string;
  name: string;
  appliedAt: Date | null;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

const table = 'plinth_migrations';

/**
 * The checksum of an applied migration, so an edit after release is caught.
 * It hashes the code of `up` and `down` reduced to what a compiler cannot
 * reshape: comments, whitespace, quote style and punctuation are dropped, and
 * calls to imported helpers lose the module prefix that CommonJS output and
 * test runners' module rewriting add (`(0, mod.helper)(…)`,
 * `__vite_ssr_import_0__.helper`), so tsc's output, a bundler's and the
 * TypeScript source as a test runner loads it all agree.
 */
export function checksumOf(migration: { up: (...args: never[]) => unknown; down: (...args: never[]) => unknown; checksum?: string }): string {
  if (migration.checksum) return migration.checksum;
  const essence = (fn: (...args: never[]) => unknown) =>
    fn
      .toString()
      .replace(/\/\*[\s\S]*?\*\/|(^|[^:])\/\/[^\n]*/g, '$1')
      .replace(/\(0,\s*[\w$]+\.([\w$]+)\)/g, '$1')
      .replace(/__vite_ssr_import_\d+__\./g, '')
      .replace(/[\s;,()]/g, '')
      .replace(/['"`]/g, '"');
  return createHash('sha256')
    .update(`${essence(migration.up)}|${essence(migration.down)}`)
    .digest('hex')
    .slice(0, 16);
}

async function ensureTable(db: Knex | Knex.Transaction): Promise<void> {
  await db.raw(`create table if not exists ${table} (
    scope text not null,
    name text not null,
    checksum text not null,
    batch integer not null default 1,
    applied_at timestamptz not null default now(),
    primary key (scope, name)
  )`);
}

/**
 * Applies the pending migrations of one scope (`core` or a plugin name) in
 * order, all in one transaction under an advisory lock, so concurrent
 * processes never apply a migration twice and a failure leaves nothing
 * half-done. Refuses to run when an applied migration has changed or is no
 * longer known. Returns the names applied.
 */
export interface MigrateOptions {
  /**
   * Runs inside the transaction before the pending migrations and returns a
   * check to run after them; throwing from the check refuses (rolls back) them all.
   */
  check?(trx: Knex.Transaction): Promise<(applied: string[]) => Promise<void>>;
}

export async function migrate(knex: Knex, scope: string, migrations: readonly Migration[], options: MigrateOptions = {}): Promise<string[]> {
  assertOrdered(scope, migrations);
  return knex.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [table]);
    await ensureTable(trx);
    const applied = new Map<string, string>(
      (await trx(table).where({ scope }).select('name', 'checksum')).map((row: { name: string; checksum: string }) => [row.name, row.checksum]),
    );
    const known = new Set(migrations.map((migration) => migration.name));
    const vanished = [...applied.keys()].find((name) => !known.has(name));
    if (vanished) throw new MigrationError(`${scope}: migration ${vanished} is applied in the database but missing from the code`);
    const ran: string[] = [];
    const batch = Number((await trx(table).max('batch as batch').first())?.batch ?? 0) + 1;
    const after = await options.check?.(trx);
    for (const migration of migrations) {
      const checksum = checksumOf(migration);
      const recorded = applied.get(migration.name);
      if (recorded !== undefined) {
        if (recorded !== checksum)
          throw new MigrationError(`${scope}: migration ${migration.name} was changed after it was applied; add a new migration instead`);
        continue;
      }
      try {
        await migration.up(trx);
      } catch (error) {
        throw new MigrationError(`${scope}: migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
      }
      await trx(table).insert({ scope, name: migration.name, checksum, batch });
      ran.push(migration.name);
    }
    if (ran.length > 0) await after?.(ran);
    return ran;
  });
}

/** Reverts the last `steps` applied migrations of a scope, newest first. */
export async function rollback(knex: Knex, scope: string, migrations: readonly Migration[], steps = Infinity): Promise<string[]> {
  return knex.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [table]);
    await ensureTable(trx);
    const applied: string[] = (await trx(table).where({ scope }).orderBy('name', 'desc').pluck('name')) as string[];
    const reverted: string[] = [];
    for (const name of applied.slice(0, steps)) {
      const migration = migrations.find((candidate) => candidate.name === name);
      if (!migration) throw new MigrationError(`${scope}: cannot revert ${name}: it is missing from the code`);
      await migration.down(trx);
      await trx(table).where({ scope, name }).delete();
      reverted.push(name);
    }
    return reverted;
  });
}

/** Every known migration of a scope with when it was applied (null: pending). */
export async function migrationStatus(knex: Knex, scope: string, migrations: readonly Migration[]): Promise<MigrationStatus[]> {
  const exists = (await knex.raw('select to_regclass(?) as found', [table])).rows[0].found !== null;
  const rows: { name: string; applied_at: Date }[] = exists ? await knex(table).where({ scope }).select('name', 'applied_at') : [];
  const appliedAt = new Map(rows.map((row) => [row.name, row.applied_at]));
  return migrations.map((migration) => ({ scope, name: migration.name, appliedAt: appliedAt.get(migration.name) ?? null }));
}

function assertOrdered(scope: string, migrations: readonly Migration[]): void {
  for (let index = 1; index < migrations.length; index++) {
    if (migrations[index - 1]!.name >= migrations[index]!.name) {
      throw new MigrationError(
        `${scope}: migrations must be listed in ascending name order (${migrations[index - 1]!.name} before ${migrations[index]!.name})`,
      );
    }
  }
}
