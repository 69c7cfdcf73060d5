import { accessTokenTtlSeconds } from '../auth/access-tokens.js';
import { presentSigningKey, readSigningKeys, rotateSigningKeys } from '../auth/signing-keys.js';
import type { PlinthConfig } from '../config/variables.js';
import { createSecretBox } from '../crypto/secrets.js';
import { resolveDatabase } from '../db/connect.js';
import { createDatabase, type Database } from '../db/database.js';
import { migrate } from '../db/migrator.js';
import { coreMigrations } from '../db/migrations/index.js';
import { runAsSystem } from '../db/scoped-db.js';
import { createLogger } from '../logger.js';
import type { Print } from './plugin.js';

async function withCoreDatabase<T>(config: PlinthConfig, fn: (database: Database) => Promise<T>): Promise<T> {
  const target = await resolveDatabase(config, createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel));
  const database = createDatabase({ url: target.url, poolMax: 2 });
  try {
    await migrate(database.knex, 'core', coreMigrations);
    return await fn(database);
  } finally {
    await database.destroy();
    await target.release();
  }
}

/**
 * `plinth keys rotate`: makes a new access-token signing key (of `PLINTH_TOKEN_ALG`) active and retires the active one,
 * which keeps verifying until the tokens it signed have expired; running processes pick the new key up within 30 seconds
 * (at once when they meet its `kid`). Audited in the host log (`admin.signing_keys.rotated`, source `cli`).
 */
export async function runKeysRotate(config: PlinthConfig, print: Print = console.log): Promise<{ kid: string; retiredKid: string | null }> {
  return withCoreDatabase(config, async (database) => {
    const rotation = await runAsSystem(database, (db) =>
      rotateSigningKeys(db, createSecretBox(config.encryptionKey), {
        alg: config.tokenAlg,
        now: new Date(),
        ttlSeconds: accessTokenTtlSeconds,
        actor: {},
        source: 'cli',
      }),
    );
    print(`Active signing key: ${rotation.active.kid} (${rotation.active.alg}).`);
    if (rotation.retired) print(`Retired ${rotation.retired.kid}: it verifies tokens until ${rotation.retired.verify_until!.toISOString()}.`);
    if (rotation.pruned > 0) print(`Deleted ${rotation.pruned} key(s) expired for more than 30 days.`);
    return { kid: rotation.active.kid, retiredKid: rotation.retired?.kid ?? null };
  });
}

/** `plinth keys list`: every signing key with its state and dates, newest first. */
export async function runKeysList(config: PlinthConfig, print: Print = console.log): Promise<void> {
  await withCoreDatabase(config, async (database) => {
    const rows = await runAsSystem(database, (db) => readSigningKeys(db));
    if (rows.length === 0) print('No signing key yet: the first process to start makes one.');
    const now = new Date();
    for (const row of rows) {
      const key = presentSigningKey(row, now);
      print(
        `${key.state.padEnd(8)} ${key.kid}  ${key.alg.padEnd(5)}  activated ${key.activated_at}${key.verify_until ? `  verifies until ${key.verify_until}` : ''}`,
      );
    }
  });
}
