import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LazyTransaction, unitScopeOf, type UnitScope } from '../../src/db/scoped-db.js';
import { createTestKernel, signUp, type TestKernel } from '../../src/testing/index.js';
import { dossiersPlugin } from './dossiers-plugin.js';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [dossiersPlugin], env: { PLINTH_DB_POOL_MAX: '3' } });
});
afterAll(() => t.close());

async function run<T>(tenantId: string, scope: UnitScope | undefined, sql: string, values: unknown[] = []): Promise<T[]> {
  const transaction = new LazyTransaction(t.kernel.services.database, tenantId, scope);
  try {
    const rows = await transaction.query<T>(sql, values);
    await transaction.finish(true);
    return rows;
  } catch (error) {
    await transaction.finish(false);
    throw error;
  }
}

describe('the unit policy, below the HTTP layer', () => {
  it('gives a query without any unit filter only the reachable units’ rows, on pooled connections shared by every scope', async () => {
    const owner = await signUp(t, { tenant: true });
    await t.enable(owner, 'dossiers');
    const unit = async (name: string) =>
      (await t.request('POST', '/api/v1/units', { headers: owner.headers, body: { name, kind: 'team' } })).body.data.id as string;
    const [red, blue, green] = [await unit('Red'), await unit('Blue'), await unit('Green')];
    for (const [title, id] of [
      ['r', red],
      ['b', blue],
      ['g', green],
      ['none', null],
    ] as const)
      await t.request('POST', '/api/v1/dossiers/files', { headers: owner.headers, body: { title, unit_id: id } });
    const tenantId = owner.tenant!.id;
    const [onlyRed, blueAndGreen] = [unitScopeOf([red]), unitScopeOf([green, blue])];
    // The kernel writes a scope's units before a transaction uses it; a scope it never wrote reaches nothing.
    for (const scope of [onlyRed, blueAndGreen]) await t.kernel.services.orgUnits.ensure(tenantId, scope);
    expect(await run(tenantId, unitScopeOf([red, blue]), 'select title from dossiers_files')).toEqual([]);
    const cases: [UnitScope | undefined, string[]][] = [
      [onlyRed, ['r']],
      [blueAndGreen, ['b', 'g']],
      [undefined, ['b', 'g', 'none', 'r']],
    ];
    // Many transactions at once on three connections: each keeps the scope of its last transaction, so this
    // catches a scope that leaks from one request to the next (the plain read runs outside any transaction).
    const answers = await Promise.all(
      Array.from({ length: 60 }, async (_, index) => {
        const [scope, expected] = cases[index % cases.length]!;
        const rows = await run<{ title: string }>(tenantId, scope, 'select title from dossiers_files order by title');
        const counted = await run<{ count: number }>(tenantId, scope, 'select count(*)::int as count from dossiers_files where title <> $1', ['']);
        return { expected, seen: rows.map((row) => row.title), count: counted[0]!.count };
      }),
    );
    for (const answer of answers) {
      expect(answer.seen).toEqual(answer.expected);
      expect(answer.count).toBe(answer.expected.length);
    }
    // A write through a scope is checked too: another unit's row cannot be updated (no row matches) or inserted.
    expect(await run(tenantId, onlyRed, "update dossiers_files set title = 'x' where title = 'b' returning id")).toEqual([]);
    const insert = 'insert into dossiers_files (title, unit_id) values ($1, $2)';
    await expect(run(tenantId, onlyRed, insert, ['y', blue])).rejects.toMatchObject({ code: '42501' });
    // Tenant work reads the scopes (its own tenant's) but cannot write one to widen its reach.
    const widen = 'insert into org_unit_scopes (tenant_id, scope, unit_id) values ($1, $2, $3)';
    await expect(run(tenantId, onlyRed, widen, [tenantId, onlyRed.key, blue])).rejects.toMatchObject({ code: '42501' });
  });
});
