import type { PluginLimits, TenantDb } from '@plinth/sdk';
import { contactsLimit, isLimitReached } from './contact-limit.js';
import { existingEmails, type Admitted } from './import-apply.js';
import type { ImportRow, RowError } from './import-rows.js';

/**
 * How an import meets the plan's contact limit. The whole import is refused up front (409 `limit_reached`, nothing
 * queued) when its new contacts would pass the limit: a user expects an import to land whole or not at all, and to
 * learn before it runs that the plan is too small (the dry run says how many rows are beyond it: `beyond_limit`).
 * Contacts created meanwhile can still fill the plan before the job runs: then each chunk creates what still fits
 * and reports every other new row as failed, by line ({@link admitNewRows}). Updates of existing contacts never count.
 */

/** The new contacts among `rows` beyond what the plan still allows: 0 when it allows them all (or has no limit). */
async function rowsBeyondLimit(db: TenantDb, limits: PluginLimits, rows: readonly ImportRow[]): Promise<{ fresh: number; beyond: number }> {
  const state = await limits.state(contactsLimit);
  // Only a plan that limits contacts pays for looking the emails up.
  if (state.max === null) return { fresh: rows.length, beyond: 0 };
  const existing = await existingEmails(
    db,
    rows.map((row) => row.email.toLowerCase()),
  );
  const fresh = rows.filter((row) => !existing.has(row.email.toLowerCase())).length;
  return { fresh, beyond: Math.max(0, state.used + fresh - state.max) };
}

/** Refuses the import (409 `limit_reached`, with the plan that lifts it) when its new contacts would pass the limit. */
export async function ensureImportFits(db: TenantDb, limits: PluginLimits, rows: readonly ImportRow[]): Promise<void> {
  const { fresh, beyond } = await rowsBeyondLimit(db, limits, rows);
  if (beyond > 0) await limits.ensure(contactsLimit, fresh);
}

/**
 * How many of `count` new contacts a chunk may create: all of them when they fit (one `ensure` for the chunk, not one
 * per row), else what is left under the plan's maximum, counted under the lock `ensure` took.
 */
export async function admitNewRows(limits: PluginLimits, count: number): Promise<Admitted> {
  if (count === 0) return { admitted: 0, max: null };
  try {
    await limits.ensure(contactsLimit, count);
    return { admitted: count, max: null };
  } catch (error) {
    if (!isLimitReached(error)) throw error;
    const state = await limits.state(contactsLimit);
    return { admitted: state.max === null ? count : Math.max(0, Math.min(count, state.max - state.used)), max: state.max };
  }
}

/** The error reported for a row the plan's limit kept out. */
export function beyondLimitError(row: ImportRow, max: number | null): RowError {
  return { line: row.line, field: 'email', message: `not imported: the plan's limit of ${max ?? 0} contacts is reached` };
}
