import { shardReadiness, type ShardProblem } from '../db/shard-readiness.js';
import type { TestKernel } from './test-kernel.js';

/**
 * Fails (throws, listing each problem and its fix) unless every table in the test kernel's database can be
 * distributed by `tenant_id` when the host shards it (Citus, ADR 0014): primary and unique keys hold `tenant_id`,
 * foreign keys between tenant tables pair `tenant_id`, and global tables reference no tenant table. Run it in a
 * plugin's tests with the plugin installed, so a new table or key that would block sharding fails the suite.
 *
 * @example
 * ```ts
 * it('is shard-ready', () => expectShardReady(t));
 * ```
 */
export async function expectShardReady(t: Pick<TestKernel, 'kernel'>): Promise<void> {
  const problems = await shardReadiness(t.kernel.services.database.knex);
  if (problems.length > 0) throw new Error(`not shard-ready:\n${problems.map(describeProblem).join('\n')}`);
}

function describeProblem(problem: ShardProblem): string {
  return `  ${problem.table}.${problem.constraint} (${problem.kind}): ${problem.detail}\n    fix: ${problem.fix}`;
}

export type { ShardProblem };
