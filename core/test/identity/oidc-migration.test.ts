import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/database.js';
import { coreMigrations } from '../../src/db/migrations/index.js';
import { migrate, rollback } from '../../src/db/migrator.js';
import { createTestDatabase, type TestDatabase } from '../../src/testing/index.js';

// Migration 026 (sign-in providers, linked identities, OpenID Connect flows) goes down and up again cleanly, with the
// migrations after it rolled back first (newest first, as the migrator does).
let testDb: TestDatabase;
let database: Database;

beforeAll(async () => {
  testDb = await createTestDatabase();
  database = createDatabase({ url: testDb.url, poolMax: 2 });
});
afterAll(async () => {
  await database.destroy();
  await testDb.drop();
});

async function tables(): Promise<string[]> {
  const rows = await database.knex('pg_tables').whereIn('tablename', ['identity_providers', 'user_identities', 'oidc_flows']).pluck('tablename');
  return rows.sort();
}

describe('026-identity-providers', () => {
  it('is reversible', async () => {
    expect(await tables()).toEqual(['identity_providers', 'oidc_flows', 'user_identities']);
    const index = coreMigrations.findIndex((migration) => migration.name === '026-identity-providers');
    const rolledBack = await rollback(database.knex, 'core', coreMigrations, coreMigrations.length - index);
    expect(rolledBack.at(-1)).toBe('026-identity-providers');
    expect(await tables()).toEqual([]);
    await migrate(database.knex, 'core', coreMigrations);
    expect(await tables()).toEqual(['identity_providers', 'oidc_flows', 'user_identities']);
  });
});
