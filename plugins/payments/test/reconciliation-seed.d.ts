/** Types of reconciliation-seed.js (plain JavaScript, so that bench/report-rows.js can import it). */
export function seedReconciliation(
  client: { query(text: string, values?: unknown[]): Promise<unknown> },
  options: { tenantId: string; payments: number; start: Date; spacingSeconds?: number; provider?: string; currency?: string },
): Promise<{ transactions: number }>;
