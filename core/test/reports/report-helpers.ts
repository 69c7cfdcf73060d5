import type { TestKernel, TestUser } from '../../src/testing/index.js';

/** Calls the API as `user` (its headers name the tenant). */
export const call = (t: TestKernel, user: TestUser, method: string, path: string, body?: unknown) =>
  t.request(method, `/api/v1${path}`, { headers: user.headers, body });

/** Polls `check` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function until<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until the run is done or failed (polling GET /reports/:id), and returns it. */
export function finished(t: TestKernel, user: TestUser, id: string, timeoutMs?: number) {
  return until(
    async () => {
      const response = await call(t, user, 'GET', `/reports/${id}`);
      return ['done', 'failed'].includes(response.body?.data?.status) ? response.body.data : undefined;
    },
    `report run ${id}`,
    timeoutMs,
  );
}

/** Downloads a run's file through its signed URL. */
export async function downloadFile(t: TestKernel, user: TestUser, id: string): Promise<{ bytes: Buffer; type: string | null; url: string }> {
  const link = await call(t, user, 'GET', `/reports/${id}/download`);
  if (link.status !== 200) throw new Error(`download link: ${link.status} ${JSON.stringify(link.body)}`);
  const response = await fetch(link.body.data.url);
  if (response.status !== 200) throw new Error(`download: ${response.status}`);
  return { bytes: Buffer.from(await response.arrayBuffer()), type: response.headers.get('content-type'), url: link.body.data.url };
}

/** Seeds ledger entries into a tenant (as the database owner). */
export async function seedLedger(
  t: TestKernel,
  tenantId: string,
  entries: { memo: string; amount: number; currency?: string; day: string; booked_at: string; cleared?: boolean; share?: number; unit_id?: string }[],
) {
  for (const entry of entries) {
    await t.sql(
      'insert into ledger_entries (tenant_id, memo, amount, currency, day, booked_at, cleared, share, unit_id) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
      [
        tenantId,
        entry.memo,
        entry.amount,
        entry.currency ?? 'USD',
        entry.day,
        entry.booked_at,
        entry.cleared ?? false,
        entry.share ?? 0,
        entry.unit_id ?? null,
      ],
    );
  }
}
