import type { TenantDb } from '@plinth/sdk';
import { contactColumns, toContact, type Contact, type ContactRow } from './contact-model.js';

/** Matches up to which a page is cut from the whole matching set rather than by walking the sort order. */
const narrowMatches = 2_000;
const rowColumns =
  'c.id, c.name, c.email, c.phone, c.company, c.tags, c.custom_fields, c.source, c.score, c.owner_id, c.created_at, c.updated_at, c.deleted_at';

/**
 * One page of the contacts matching `where` (SQL on alias `c`, with its `values`), and the total. When the
 * matches are few, the page is sorted from the set of matches (found through the search index); otherwise by
 * walking the sort's index. PostgreSQL alone would often walk the index for a narrow search too, reading
 * the tenant's whole table when the matches sit at its far end.
 */
export async function listContacts(
  db: TenantDb,
  query: { where: string; values: unknown[]; order: string; limit: number; offset: number },
): Promise<{ contacts: Contact[]; total: number }> {
  const { where, values, order, limit, offset } = query;
  const [count] = await db.query<{ total: number }>(`select count(*)::int as total from crm_contacts c where ${where}`, values);
  const total = count?.total ?? 0;
  const page = [`$${values.length + 1}`, `$${values.length + 2}`];
  const narrow = total <= narrowMatches && values.length > 0;
  const text = narrow
    ? `with c as materialized (select ${rowColumns} from crm_contacts c where ${where})
       select ${contactColumns} from c order by ${order} limit ${page[0]} offset ${page[1]}`
    : `select ${contactColumns} from crm_contacts c where ${where} order by ${order} limit ${page[0]} offset ${page[1]}`;
  const rows = total === 0 ? [] : await db.query<ContactRow>(text, [...values, limit, offset]);
  return { contacts: rows.map(toContact), total };
}
