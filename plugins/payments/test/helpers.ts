import type { TestKernel, TestUser } from '@plinth/core/testing';

/** Calls payments' API as `user`. */
export function paymentsApi(t: TestKernel, user: TestUser) {
  return (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    t.request(method, `/api/v1/payments${path}`, { headers: { ...user.headers, ...headers }, body });
}

/** Polls `check` until it returns a truthy value or the deadline passes (no sleeps as synchronisation). */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The payloads of a tenant's outbox events of a name, oldest first (owner connection). */
export async function eventsNamed(t: TestKernel, tenantId: string, name: string): Promise<Record<string, unknown>[]> {
  const rows = await t.sql<{ payload: Record<string, unknown> }>(
    'select payload from plinth_events where tenant_id = $1 and name = $2 order by created_at, id',
    [tenantId, name],
  );
  return rows.map((row) => row.payload);
}
