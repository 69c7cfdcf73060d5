import { Type, type Static } from '@sinclair/typebox';
import type { Pagination } from './envelope.js';

/** The last page a list serves: deeper offsets are refused (422) rather than scanned. */
export const MAX_PAGE = 100_000;

/**
 * Query parameters of every list: `page` (1–{@link MAX_PAGE}, default 1) and
 * `per_page` (1–100, default 20). Compose it into a route's query schema.
 *
 * @example
 * ```ts
 * schema: { query: Type.Composite([PageQuery, Type.Object({ q: Type.Optional(Type.String()) })]) }
 * ```
 */
export const PageQuery = Type.Object({
  page: Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: 1 }),
  per_page: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
});
export type PageQuery = Static<typeof PageQuery>;

/** `limit` and `offset` for the requested page. */
export function pageWindow(query: PageQuery): { limit: number; offset: number } {
  return { limit: query.per_page, offset: (query.page - 1) * query.per_page };
}

/** `meta.pagination` for the requested page of a list of `total` items. */
export function paginate(query: PageQuery, total: number): Pagination {
  return { page: query.page, per_page: query.per_page, total, total_pages: Math.ceil(total / query.per_page) };
}
