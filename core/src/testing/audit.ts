import type { TestUser } from './fixtures.js';
import type { TestKernel } from './test-kernel.js';

/** An entry of the tenant's audit log as `GET /api/v1/audit-log` shows it. */
export interface TestAuditEntry {
  action: string;
  actor: { user_id: string | null; email: string | null; name: string | null; token_id: string | null };
  target: { type: string | null; id: string | null };
  unit: { id: string; label: string } | null;
  data: { changes?: Record<string, { from?: unknown; to?: unknown; redacted?: true }>; by?: string } & Record<string, unknown>;
}

/**
 * The audit entries `user` may read in their tenant, oldest first (a plugin's own with `action: '<plugin>.'`; one
 * record's with `targetId`), the page as text (to check that a redacted value appears nowhere) and the total.
 *
 * @example
 * ```ts
 * const { entries, text } = await auditTrail(t, owner, { action: 'crm.', targetId: contact.id });
 * expect(entries.map((entry) => entry.action)).toEqual(['crm.contact.created', 'crm.contact.updated']);
 * expect(text).not.toContain(contact.email);
 * ```
 */
export async function auditTrail(
  t: TestKernel,
  user: TestUser,
  filter: { action?: string; targetId?: string } = {},
): Promise<{ entries: TestAuditEntry[]; text: string; total: number }> {
  const query = new URLSearchParams({ per_page: '100' });
  if (filter.action) query.set('action', filter.action);
  if (filter.targetId) query.set('target_id', filter.targetId);
  const response = await t.request('GET', `/api/v1/audit-log?${query}`, { headers: user.headers });
  if (response.status !== 200) throw new Error(`auditTrail: ${response.status} ${JSON.stringify(response.body)}`);
  return { entries: [...(response.body.data as TestAuditEntry[])].reverse(), text: JSON.stringify(response.body), total: response.body.meta.pagination.total };
}
