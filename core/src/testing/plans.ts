import type { TestKernel } from './test-kernel.js';

/**
 * The plan PostgreSQL gives `text` when the application role runs it in `tenantId`'s scope, as a generic plan (what a
 * prepared statement repeated by every request gets), one line per plan node. Under forced row-level security the
 * plan can differ from a superuser's: an index on an expression with a function that is not leakproof (`lower`) is
 * not used. `values` are written into the statement as literals, so pass plain strings and numbers.
 */
export async function planAsTenant(t: TestKernel, tenantId: string, text: string, values: readonly (string | number | boolean)[] = []): Promise<string> {
  const { database } = t.kernel.services;
  const client = await database.acquire();
  try {
    await client.query('begin');
    await client.query(
      "select set_config('app.tenant_id', $1, true), set_config('role', 'plinth_app', true), set_config('plan_cache_mode', 'force_generic_plan', true)",
      [tenantId],
    );
    await client.query(`prepare plinth_test_plan as ${text}`);
    const literals = values.map((value) => (typeof value === 'string' ? `'${value.replaceAll("'", "''")}'` : String(value)));
    const explained = await client.query<{ 'QUERY PLAN': string }>(
      `explain (costs off) execute plinth_test_plan${literals.length ? `(${literals.join(', ')})` : ''}`,
    );
    return explained.rows.map((row) => row['QUERY PLAN']).join('\n');
  } finally {
    // The rollback ends the role and the settings; the prepared statement is the session's, so it goes by name.
    await client.query('rollback');
    await client.query('deallocate plinth_test_plan');
    await database.release(client);
  }
}
