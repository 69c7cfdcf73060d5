import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/database.js';
import { LazyTransaction, namespacedDb, runAsSystem, runInTenant } from '../../src/db/scoped-db.js';
import { createTestDatabase, type TestDatabase } from '../../src/testing/index.js';

let testDb: TestDatabase;
let database: Database;
let tenantA: string;
let tenantB: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  database = createDatabase({ url: testDb.url, poolMax: 4 });
  [tenantA, tenantB] = await runAsSystem(database, async (db) => {
    const rows = await db.query<{ id: string }>("insert into tenants (slug, name) values ('lock-a', 'A'), ('lock-b', 'B') returning id");
    return [rows[0]!.id, rows[1]!.id];
  });
});
afterAll(async () => {
  await database.destroy();
  await testDb.drop();
});

/** Whether `promise` is still pending after `ms`. */
async function stillWaiting(promise: Promise<unknown>, ms = 300): Promise<boolean> {
  return Promise.race([promise.then(() => false), new Promise<boolean>((resolve) => setTimeout(() => resolve(true), ms))]);
}

describe('db.lock', () => {
  it('makes a second transaction with the same key wait until the first commits', async () => {
    const first = new LazyTransaction(database, tenantA);
    const second = new LazyTransaction(database, tenantA);
    const order: string[] = [];
    await first.lock('crm/slot:1');
    const waiting = second.lock('crm/slot:1').then(() => order.push('second locked'));
    expect(await stillWaiting(waiting)).toBe(true);
    order.push('first commits');
    await first.finish(true);
    await waiting;
    await second.finish(true);
    expect(order).toEqual(['first commits', 'second locked']);
  });

  it('lets a check-then-insert run one at a time: two concurrent bookings of a slot make one row', async () => {
    const book = () =>
      runInTenant(database, tenantA, async (db) => {
        await db.lock('core/test-role:booked');
        const taken = await db.one("select 1 from roles where name = 'booked'");
        if (!taken) await db.query("insert into roles (tenant_id, name) values ($1, 'booked')", [tenantA]);
        return !taken;
      });
    expect((await Promise.all([book(), book(), book()])).filter(Boolean)).toHaveLength(1);
  });

  it('releases the lock on rollback', async () => {
    const first = new LazyTransaction(database, tenantA);
    await first.lock('crm/rolled-back');
    await first.finish(false);
    await runInTenant(database, tenantA, (db) => db.lock('crm/rolled-back'));
  });

  it('never makes another tenant, or another plugin of the same tenant, wait', async () => {
    const holder = new LazyTransaction(database, tenantA);
    await namespacedDb(holder, 'crm').lock('slot:1');
    try {
      await runInTenant(database, tenantB, (db) => namespacedDb(db, 'crm').lock('slot:1'));
      await runInTenant(database, tenantA, (db) => namespacedDb(db, 'shop').lock('slot:1'));
      const sameKey = runInTenant(database, tenantA, (db) => namespacedDb(db, 'crm').lock('slot:1'));
      expect(await stillWaiting(sameKey)).toBe(true);
      await holder.finish(true);
      await sameKey;
    } finally {
      if (holder.opened) await holder.finish(false);
    }
  });
});
