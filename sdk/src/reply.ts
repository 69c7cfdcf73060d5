import type { Pagination } from './envelope.js';

/**
 * A response other than plain `200` data: a status, or a list with
 * `meta.pagination`. Return one from a route handler.
 *
 * @example
 * ```ts
 * return Reply.created(contact);
 * return Reply.list(rows, paginate(query, total));
 * return Reply.noContent();
 * ```
 */
export class Reply<T = unknown> {
  constructor(
    readonly status: 200 | 201 | 202 | 204,
    readonly data: T,
    readonly pagination?: Pagination,
  ) {}

  /** 201 with the created resource. */
  static created<T>(data: T): Reply<T> {
    return new Reply(201, data);
  }

  /** 202: accepted for processing (e.g. a job was queued). */
  static accepted<T>(data: T): Reply<T> {
    return new Reply(202, data);
  }

  /** 204 without a body. */
  static noContent(): Reply<undefined> {
    return new Reply(204, undefined);
  }

  /** 200 with a page of items and `meta.pagination`. */
  static list<T>(items: T, pagination: Pagination): Reply<T> {
    return new Reply(200, items, pagination);
  }
}
