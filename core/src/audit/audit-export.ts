import type { Knex } from 'knex';
import type { UnitTree } from '../units/unit-tree.js';
import { newestFirst } from './audit-query.js';
import { unitLabel, type AuditRow } from './audit-entries.js';

/** Entries read per query: the export holds one page in memory at a time, however long the log. */
const pageRows = 1000;

const header = ['time', 'actor_email', 'actor_token_id', 'action', 'target_type', 'target_id', 'unit', 'changes', 'data', 'ip', 'request_id'];

/** A CSV field: quoted when needed; a leading `=`, `+`, `-`, `@` is defused so that spreadsheets do not run it as a formula. */
function csvField(value: string | null): string {
  if (value === null) return '';
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csvLine(row: AuditRow, tree: UnitTree): string {
  const { changes, ...data } = row.data;
  const fields = [
    row.created_at.toISOString(),
    row.actor_email,
    row.actor_token_id,
    row.action,
    row.target_type,
    row.target_id,
    unitLabel(tree, row.unit_id) ?? row.unit_id,
    changes === undefined ? null : JSON.stringify(changes),
    Object.keys(data).length > 0 ? JSON.stringify(data) : null,
    row.ip,
    row.request_id,
  ];
  return `${fields.map(csvField).join(',')}\r\n`;
}

/**
 * The entries `entries` selects as CSV, newest first, read in keyset pages inside the request's transaction. The
 * cursor is the last entry's own row, not its time as JavaScript holds it: PostgreSQL keeps microseconds, a Date
 * only milliseconds, and a page would skip or repeat entries of the same millisecond.
 */
export async function* auditCsv(entries: Knex.QueryBuilder, tree: UnitTree): AsyncGenerator<string> {
  yield `${header.join(',')}\r\n`;
  let last: string | undefined;
  for (;;) {
    const page = entries
      .clone()
      .orderBy([...newestFirst])
      .limit(pageRows);
    if (last) page.whereRaw('(a.created_at, a.id) < (select c.created_at, c.id from audit_log c where c.id = ?)', [last]);
    const rows = (await page) as AuditRow[];
    if (rows.length > 0) yield rows.map((row) => csvLine(row, tree)).join('');
    if (rows.length < pageRows) return;
    last = rows[rows.length - 1]!.id;
  }
}
