import type { Pagination } from './envelope.js';

/**
 * A response other than plain `200` data: a status, or a list with
 * `meta.pagination`. Return one from a route handler. For answers outside the
 * envelope (HTML pages, CSV files, redirects) return a {@link RawReply} or a
 * {@link StreamReply} from `Reply.raw`, `Reply.redirect` or `Reply.stream`.
 *
 * @example
 * ```ts
 * return Reply.created(contact);
 * return Reply.list(rows, paginate(query, total));
 * return Reply.noContent();
 * return Reply.raw(html, { contentType: 'text/html; charset=utf-8' });
 * return Reply.redirect(link.url);
 * ```
 */
export class Reply<T = unknown> {
  constructor(
    readonly status: 200 | 201 | 202 | 204,
    readonly data: T,
    readonly pagination?: Pagination,
    /** Response headers to send with the envelope (`Location`, `ETag`, `Idempotency-Replayed`). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {}

  /** 200 with `data`: the same as returning `data`, for when headers are added. */
  static ok<T>(data: T): Reply<T> {
    return new Reply(200, data);
  }

  /** The same reply with `headers` added: `Reply.created(row).withHeaders({ location: `/api/v1/…/${row.id}` })`. */
  withHeaders(headers: Record<string, string>): Reply<T> {
    return new Reply(this.status, this.data, this.pagination, { ...this.headers, ...headers });
  }

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

  /** A body outside the envelope: an HTML page, a small file. */
  static raw(body: string | Buffer, options: RawReplyOptions): RawReply {
    return new RawReply(options.status ?? 200, body, { 'content-type': options.contentType, ...options.headers });
  }

  /** A redirect (302 unless told otherwise) to `location`. Only redirect to URLs you stored or built yourself, never to one from the request. */
  static redirect(location: string, status: 301 | 302 | 303 | 307 | 308 = 302, headers: Record<string, string> = {}): RawReply {
    return new RawReply(status, '', { location, ...headers });
  }

  /**
   * A body streamed as `chunks` yields them (a CSV export): the unit of work's
   * transaction stays open until the last chunk is sent, so the iterable may
   * keep reading the database; it rolls back if the client goes away.
   */
  static stream(chunks: AsyncIterable<string | Buffer>, options: RawReplyOptions): StreamReply {
    return new StreamReply(options.status ?? 200, chunks, { 'content-type': options.contentType, ...options.headers });
  }
}

/** Options of {@link Reply.raw} and {@link Reply.stream}. */
export interface RawReplyOptions {
  contentType: string;
  status?: number;
  /** Extra headers (lower-case names): `cache-control`, `etag`, `content-disposition`, `content-security-policy`… */
  headers?: Record<string, string>;
}

/** A response outside the envelope, with its body in memory. */
export class RawReply {
  constructor(
    readonly status: number,
    readonly body: string | Buffer,
    readonly headers: Record<string, string>,
  ) {}
}

/** A response outside the envelope, streamed from an async iterable. */
export class StreamReply {
  constructor(
    readonly status: number,
    readonly chunks: AsyncIterable<string | Buffer>,
    readonly headers: Record<string, string>,
  ) {}
}
