import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import crm from '../src/plugin.js';

/** Custom fields most tests define. */
export const customFields = [
  { key: 'plan', label: 'Plan', type: 'select', options: ['free', 'pro'] },
  { key: 'seats', label: 'Seats', type: 'number' },
  { key: 'renewal', label: 'Renewal', type: 'date' },
  { key: 'notes', label: 'Notes', type: 'text' },
];

/** A kernel with the CRM and a tenant owner who enabled it (with the custom fields above). */
export async function crmKernel(): Promise<{ t: TestKernel; owner: TestUser }> {
  const t = await createTestKernel({ plugins: [crm] });
  const owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'crm', { customFields });
  return { t, owner };
}

/** Calls `/api/v1/crm<path>` as `user`. */
export function crmCall(t: TestKernel, user: TestUser) {
  return (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    t.request(method, `/api/v1/crm${path}`, { headers: { ...user.headers, ...headers }, body });
}

/** Polls `check` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
