import type { TenantDb } from '@plinth/sdk';
import { filterSql, indexedMatchesSql, wordMatchesSql, type ResolvedFilter } from './contact-filter.js';
import { contactColumns, toContact, type Contact, type ContactRow } from './contact-model.js';

/** Matches up to which a page is cut from the whole matching set rather than by walking the sort order. */
const narrowMatches = 2_000;
const rowColumns =
  'c.id, c.name, c.email, c.email_key, c.phone, c.company, c.tags, c.custom_fields, c.source, c.score, c.owner_id, c.unit_id, c.created_at, c.updated_at, c.deleted_at';

/**
 * One page of the contacts matching `filter` (live ones, or the trash with `deleted`), sorted by `order` (SQL on
 * alias `c`), and the total. With search words or tags, the search index finds the candidates first
 * (`wordMatchesSql`): the total is counted from it alone when the filter has nothing else, and otherwise over those
 * candidates only, fetched by id. When the matches are few, the page is sorted from the set of matches; otherwise
 * by walking the sort's index. PostgreSQL alone would often walk the index for a narrow search too, reading the
 * tenant's whole table when the matches sit at its far end, or scan that table to join it with the matches.
 * A search the index answers alone (`indexedPageSql`) reads neither: only the page's contacts.
 */
export async function listContacts(
  db: TenantDb,
  query: { filter: ResolvedFilter; deleted?: boolean; order: string; limit: number; offset: number },
): Promise<{ contacts: Contact[]; total: number }> {
  const { filter, order, limit, offset } = query;
  const options = { deleted: query.deleted };
  const indexed = indexedPageSql(query);
  if (indexed) return fromSearchIndex(db, indexed, query);
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

/** Sorts the search index's keys can serve: the contact sort (on `c`) and the same order on the index's entries. */
const indexOrders = new Map([
  ['c.created_at desc, c.id desc', ['contact_created_at desc', 'contact_id desc']],
  ['c.created_at asc, c.id asc', ['contact_created_at asc', 'contact_id asc']],
  ['c.score desc, c.id desc', ['contact_score desc', 'contact_id desc']],
  ['c.score asc, c.id asc', ['contact_score asc', 'contact_id asc']],
]);

/**
 * The page of a search that the search index answers alone (`indexedMatchesSql`, sorted by creation or score): the
 * matches are found, counted (`count(*) over ()`, before the limit) and sorted in the index, and only the page's
 * contacts are read; `limit` and `offset` are the next parameters after `values`. One plain `select`, so it takes
 * the one-round-trip path. Undefined for other filters and sorts.
 */
function indexedPageSql(query: { filter: ResolvedFilter; deleted?: boolean; order: string }): { page: string; matches: string; values: unknown[] } | undefined {
  const keys = indexOrders.get(query.order);
  const values: unknown[] = [];
  const matches = keys && indexedMatchesSql(query.filter, values, { deleted: query.deleted });
  if (!matches) return undefined;
  const page = `select ${contactColumns}, p.total
      from (select m.*, count(*) over () as total from (${matches}) m
             order by ${keys.join(', ')} limit $${values.length + 1} offset $${values.length + 2}) p
      join crm_contacts c on c.id = p.contact_id
     order by ${keys.map((key) => `p.${key}`).join(', ')}`;
  return { page, matches, values };
}

/** Runs an `indexedPageSql` page; only a page past the end, which has no row to carry the total, counts apart. */
async function fromSearchIndex(
  db: TenantDb,
  sql: { page: string; matches: string; values: unknown[] },
  window: { limit: number; offset: number },
): Promise<{ contacts: Contact[]; total: number }> {
  const rows = await db.query<ContactRow & { total: number }>(sql.page, [...sql.values, window.limit, window.offset]);
  if (rows.length === 0 && window.offset > 0) {
    const counted = await db.one<{ total: number }>(`select count(*)::int as total from (${sql.matches}) m`, sql.values);
    return { contacts: [], total: counted?.total ?? 0 };
  }
  return { total: rows[0]?.total ?? 0, contacts: rows.map(({ total: _total, ...row }) => toContact(row)) };
}
