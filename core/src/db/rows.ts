import type { ScopedDb } from './scoped-db.js';

/**
 * The row a statement always returns (`select count(*)`, an `insert … returning` without `on conflict`, a row the
 * transaction has locked): none is a broken invariant, thrown as an error (a 500), never a client's answer.
 */
export async function returnedRow<Row>(db: Pick<ScopedDb, 'one'>, text: string, values?: readonly unknown[]): Promise<Row> {
  const row = await db.one<Row>(text, values);
  if (row === undefined) throw new Error(`The statement returned no row: ${text.replace(/\s+/g, ' ').slice(0, 80)}`);
  return row;
}
