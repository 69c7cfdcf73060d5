import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/database.js';
import { checksumOf } from '../../src/db/migrator.js';
import { migrate, migrationStatus, rollback, type Migration } from '../../src/index.js';
import { createTestDatabase, type TestDatabase } from '../../src/testing/index.js';

let testDb: TestDatabase;
let database: Database;
beforeAll(async () => {
  testDb = await createTestDatabase();
  database = createDatabase({ url: testDb.url, poolMax: 4 });
});
afterAll(async () => {
  await database.destroy();
  await testDb.drop();
});

const createWidgets: Migration = {
  name: '001-widgets',
  up: async (db) => {
    await db.raw('create table widgets (id serial primary key, name text not null)');
  },
  down: async (db) => {
    await db.raw('drop table widgets');
  },
};
const addColour: Migration = {
  name: '002-widget-colour',
  up: async (db) => {
    await db.raw("alter table widgets add column colour text not null default 'red'");
  },
  down: async (db) => {
    await db.raw('alter table widgets drop column colour');
  },
};
const tableExists = async (knex: Knex, name: string) => (await knex.raw('select to_regclass(?) as found', [name])).rows[0].found !== null;

describe('migrator', () => {
  it('applies pending migrations in order, once', async () => {
    expect(await migrate(database.knex, 'demo', [createWidgets, addColour])).toEqual(['001-widgets', '002-widget-colour']);
    expect(await migrate(database.knex, 'demo', [createWidgets, addColour])).toEqual([]);
    const status = await migrationStatus(database.knex, 'demo', [createWidgets, addColour]);
    expect(status.map((row) => row.appliedAt instanceof Date)).toEqual([true, true]);
  });

  it('reports pending migrations', async () => {
    const later: Migration = { name: '003-later', up: async () => undefined, down: async () => undefined };
    const status = await migrationStatus(database.knex, 'demo', [createWidgets, addColour, later]);
    expect(status.at(-1)).toMatchObject({ name: '003-later', appliedAt: null });
  });

  it('refuses an applied migration whose code changed', async () => {
    const edited: Migration = { ...addColour, up: async (db) => void (await db.raw("alter table widgets add column colour text default 'blue'")) };
    await expect(migrate(database.knex, 'demo', [createWidgets, edited])).rejects.toThrow('demo: migration 002-widget-colour was changed after it was applied');
  });

  it('refuses when an applied migration is missing from the code', async () => {
    await expect(migrate(database.knex, 'demo', [createWidgets])).rejects.toThrow(
      'demo: migration 002-widget-colour is applied in the database but missing from the code',
    );
  });

  it('refuses migrations listed out of order', async () => {
    await expect(migrate(database.knex, 'other', [addColour, createWidgets])).rejects.toThrow('ascending name order');
  });

  it('leaves nothing behind when a migration fails', async () => {
    const good: Migration = { name: '001-gadgets', up: async (db) => void (await db.raw('create table gadgets (id int)')), down: async () => undefined };
    const bad: Migration = {
      name: '002-broken',
      up: async (db) => void (await db.raw('alter table no_such_table add column x int')),
      down: async () => undefined,
    };
    await expect(migrate(database.knex, 'gadgets', [good, bad])).rejects.toThrow('gadgets: migration 002-broken failed');
    expect(await tableExists(database.knex, 'gadgets')).toBe(false);
    expect((await migrationStatus(database.knex, 'gadgets', [good, bad])).every((row) => row.appliedAt === null)).toBe(true);
  });

  it('applies each migration exactly once when processes race', async () => {
    let runs = 0;
    const counted: Migration = {
      name: '001-counted',
      up: async (db) => {
        runs++;
        await db.raw('create table counted (id int)');
      },
      down: async (db) => void (await db.raw('drop table counted')),
    };
    const other = createDatabase({ url: testDb.url, poolMax: 2 });
    try {
      const results = await Promise.all([
        migrate(database.knex, 'race', [counted]),
        migrate(other.knex, 'race', [counted]),
        migrate(database.knex, 'race', [counted]),
      ]);
      expect(results.flat()).toEqual(['001-counted']);
      expect(runs).toBe(1);
    } finally {
      await other.destroy();
    }
  });

  it('rolls back newest first', async () => {
    expect(await rollback(database.knex, 'demo', [createWidgets, addColour], 1)).toEqual(['002-widget-colour']);
    const columns = await database.knex('information_schema.columns').where({ table_name: 'widgets' }).pluck('column_name');
    expect(columns).not.toContain('colour');
    expect(await rollback(database.knex, 'demo', [createWidgets, addColour])).toEqual(['001-widgets']);
    expect(await tableExists(database.knex, 'widgets')).toBe(false);
  });
});

describe('core migrations', () => {
  it('create the runtime role: NOLOGIN, not superuser, no BYPASSRLS', async () => {
    const role = (await database.knex.raw("select rolcanlogin, rolsuper, rolbypassrls from pg_roles where rolname = 'plinth_app'")).rows[0];
    expect(role).toEqual({ rolcanlogin: false, rolsuper: false, rolbypassrls: false });
  });
});

describe('checksumOf', () => {
  it('agrees between the source as the test runner loads it and the build as node runs it', async () => {
    const { coreMigrations } = await import('../../src/db/migrations/index.js');
    // Outside vitest: its module rewriting must not be what both sides see.
    const script = `const [{ coreMigrations }, { checksumOf }] = await Promise.all([import('./dist/db/migrations/index.js'), import('./dist/db/migrator.js')]);
      console.log(JSON.stringify(coreMigrations.map(checksumOf)));`;
    const built = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      encoding: 'utf8',
    });
    expect(JSON.parse(built)).toEqual(coreMigrations.map(checksumOf));
  });

  it('changes when the SQL changes, not when the layout does', () => {
    const base: Migration = { name: 'x', up: async (db) => void (await db.raw('create table a (id int)')), down: async () => undefined };
    const relaid: Migration = {
      name: 'x',
      // prettier-ignore
      up: async ( db ) => void ( await db.raw( "create table a (id int)" ) ), // a comment
      down: async () => undefined,
    };
    const changed: Migration = { name: 'x', up: async (db) => void (await db.raw('create table a (id bigint)')), down: async () => undefined };
    expect(checksumOf(relaid)).toBe(checksumOf(base));
    expect(checksumOf(base)).not.toBe(checksumOf(changed));
  });
});
