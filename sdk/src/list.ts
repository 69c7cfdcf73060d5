import { pageWindow, type PageQuery } from './pagination.js';
import type { TenantDb } from './services.js';

/** The parts of a list query; `values` are the `$n` parameters `select`, `from` and `where` refer to. */
export interface ListSql {
  /** The select list: `'id, name, created_at'`. */
  select: string;
  /** The table and its joins: `'shop_orders o join shop_customers c on c.id = o.customer_id'`. */
  from: string;
  /**
   * What to count over when `from` joins rows that neither add nor drop list items (a `left join lateral`
   * aggregate, a one-to-one `left join`) and are costly to compute for every match; the default is `from`.
   */
  countFrom?: string;
  /** Conditions without the `where` keyword; several are joined with `and`; empty means every row. */
  where?: string | readonly string[];
  /** Without the `order by` keyword; end it with a unique column (`id`) so pages neither overlap nor skip. */
  orderBy: string;
  values?: readonly unknown[];
}

/** One page of a list and how many items the whole list has. */
export interface ListPage<Row> {
  items: Row[];
  total: number;
}

/**
 * Reads the requested page of a list and its total, from one description of the query: the rows
 * (`select … from … where … order by … limit … offset …`) and `count(*)` over the same `from` and `where`,
 * in the handler's transaction; the count is skipped when a short page already tells the total. `limit` and
 * `offset` are appended as the next parameters after `values`. Feed the result to
 * `Reply.list(items, paginate(query, total))`.
 *
 * @example
 * ```ts
 * const values: unknown[] = [];
 * const where = query.q ? [`name ilike $${values.push(likePattern(query.q))}`] : [];
 * const { items, total } = await listPage<TagRow>(deps.db, { select: 'id, name', from: 'crm_tags', where, orderBy: 'name, id', values }, query);
 * return Reply.list(items, paginate(query, total));
 * ```
 */
export async function listPage<Row>(db: Pick<TenantDb, 'query'>, sql: ListSql, query: PageQuery): Promise<ListPage<Row>> {
  const values = sql.values ?? [];
  const conditions = typeof sql.where === 'string' ? [sql.where] : (sql.where ?? []);
  const filter = conditions.filter((condition) => condition.trim() !== '');
  const where = filter.length === 0 ? '' : ` where ${filter.length === 1 ? filter[0] : filter.map((condition) => `(${condition})`).join(' and ')}`;
  const { limit, offset } = pageWindow(query);
  const items = await db.query<Row>(
    `select ${sql.select} from ${sql.from}${where} order by ${sql.orderBy} limit $${values.length + 1} offset $${values.length + 2}`,
    [...values, limit, offset],
  );
  // A short page that is not past the end is the last one: it tells the total without counting.
  if (items.length < limit && (items.length > 0 || offset === 0)) return { items, total: offset + items.length };
  const [count] = await db.query<{ total: number }>(`select count(*)::int as total from ${sql.countFrom ?? sql.from}${where}`, values);
  return { items, total: count?.total ?? 0 };
}
