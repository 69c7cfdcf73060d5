import type { Pagination } from '@plinth/sdk';
import { Type, type Static } from '@sinclair/typebox';

/** Query parameters of every list: `page` (from 1) and `per_page` (1–100, default 20). */
export const PageQuery = Type.Object({
  page: Type.Integer({ minimum: 1, default: 1 }),
  per_page: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
});
export type PageQuery = Static<typeof PageQuery>;

/** Offset and limit for a page. */
export function pageWindow(query: PageQuery): { limit: number; offset: number } {
  return { limit: query.per_page, offset: (query.page - 1) * query.per_page };
}

/** `meta.pagination` for a page of a list of `total` items. */
export function paginationOf(query: PageQuery, total: number): Pagination {
  return { page: query.page, per_page: query.per_page, total, total_pages: Math.ceil(total / query.per_page) };
}
