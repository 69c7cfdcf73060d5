import type { TenantDb } from '@plinth/sdk';
import { filterSql, wordMatchesSql, type ContactFilter } from './contact-filter.js';
import { contactColumns, toContact, type Contact, type ContactRow } from './contact-model.js';

/** Matches up to which a page is cut from the whole matching set rather than by walking the sort order. */
const narrowMatches = 2_000;
const rowColumns =
  'c.id, c.name, c.email, c.phone, c.company, c.tags, c.custom_fields, c.source, c.score, c.owner_id, c.created_at, c.updated_at, c.deleted_at';

/**
 * One page of the contacts matching `filter` (live ones, or the trash with `deleted`), sorted by `order` (SQL on
 * alias `c`), and the total. With search words or tags, the search index finds the candidates first
 * (`wordMatchesSql`): the total is counted from it alone when the filter has nothing else, and otherwise over those
 * candidates only, fetched by id. When the matches are few, the page is sorted from the set of matches; otherwise
 * by walking the sort's index. PostgreSQL alone would often walk the index for a narrow search too, reading the
 * tenant's whole table when the matches sit at its far end, or scan that table to join it with the matches.
 */
export async function listContacts(
  db: TenantDb,
  query: { filter: ContactFilter; deleted?: boolean; order: string; limit: number; offset: number },
): Promise<{ contacts: Contact[]; total: number }> {
  const { filter, order, limit, offset } = query;
  const options = { deleted: query.deleted };
  const values: unknown[] = [];
  const where = filterSql(filter, values, options);
  // With words or tags, the matches are the candidates the index finds, read by id (`= any(array(…))`), never by a
  // scan of the table to join with them; a words-only total is counted from the index alone.
  const found: unknown[] = [];
  const words = wordMatchesSql(filter, found, options);
  const [matching, matchValues] = words
    ? [`crm_contacts c where c.id = any(array(${words.sql})) and ${filterSql(filter, found, { ...options, words: false })}`, found]
    : [`crm_contacts c where ${where}`, values];
  const count = words?.only ? `select count(*)::int as total from (${words.sql}) m` : `select count(*)::int as total from ${matching}`;
  const total = (await db.one<{ total: number }>(count, matchValues))!.total;
  if (total === 0) return { contacts: [], total };
  const narrow = total <= narrowMatches && values.length > 0;
  const [text, rowValues] = narrow
    ? [`with c as materialized (select ${rowColumns} from ${matching}) select ${contactColumns} from c order by ${order}`, matchValues]
    : [`select ${contactColumns} from crm_contacts c where ${where} order by ${order}`, values];
  const rows = await db.query<ContactRow>(`${text} limit $${rowValues.length + 1} offset $${rowValues.length + 2}`, [...rowValues, limit, offset]);
  return { contacts: rows.map(toContact), total };
}
