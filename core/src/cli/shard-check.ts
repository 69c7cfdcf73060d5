import type { PlinthConfig } from '../config/variables.js';
import { citusStatements, shardLayout } from '../db/shard-readiness.js';
import { withDatabase, type Print } from './plugin.js';

export interface ShardCheckOptions {
  /** Print the Citus statements that distribute the database (only when every table is ready). */
  citus?: boolean;
}

/**
 * `plinth shard-check [--citus]`: every table of the migrated database with its placement when sharded by tenant
 * (distributed by `tenant_id`, or a reference table) and whether it is ready, with each problem and its fix (ADR 0014);
 * with `--citus`, the `create_reference_table`/`create_distributed_table` statements in dependency order instead.
 * Returns the exit code: 1 when a table is not ready.
 */
export async function runShardCheck(config: PlinthConfig, options: ShardCheckOptions = {}, print: Print = console.log): Promise<number> {
  return withDatabase(config, async (knex) => {
    const layout = await shardLayout(knex);
    const problems = layout.flatMap((table) => table.problems);
    if (options.citus && problems.length === 0) {
      for (const statement of await citusStatements(knex)) print(statement);
      return 0;
    }
    for (const table of layout) {
      const kind = table.role === 'distributed' ? 'distributed' : table.tenantColumn ? 'reference (declared global)' : 'reference';
      print(`${table.problems.length === 0 ? 'ok  ' : 'FAIL'}  ${table.table}: ${kind}`);
      for (const problem of table.problems) {
        print(`      ${problem.kind} ${problem.constraint}: ${problem.detail}`);
        print(`      fix: ${problem.fix}`);
      }
    }
    const distributed = layout.filter((table) => table.role === 'distributed').length;
    print(
      problems.length === 0
        ? `Shard-ready: ${distributed} distributed by tenant_id, ${layout.length - distributed} reference table(s).`
        : `${problems.length} problem(s) in ${layout.filter((table) => table.problems.length > 0).length} table(s): not shard-ready.`,
    );
    return problems.length === 0 ? 0 : 1;
  });
}
