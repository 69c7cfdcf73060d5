import type { Readable } from 'node:stream';
import { defineErrors, NotFoundError } from '@plinth/sdk';
import type { PlinthContext } from '../http/context.js';
import type { ByteRange } from './storage.js';

/**
 * The answer the SDK has no class for: a `Range` that starts past the end of the file. Routes that serve file
 * bytes list it in their `errors`; it carries `Content-Range: bytes *\/<size>` as RFC 9110 asks.
 */
export const serveErrors = defineErrors('core', {
  range_not_satisfiable: { status: 416, description: 'The Range header asks for bytes past the end of the file; Content-Range gives its size' },
});

/**
 * The one byte range a `Range` header asks for, clamped to the file: `bytes=a-b`, `bytes=a-` or `bytes=-n` (the
 * last n bytes). `unsatisfiable` when it starts at or past the end (or asks for the last 0 bytes, or the file is
 * empty); undefined when the whole file should be sent: no header, a malformed one, another unit, or several ranges
 * (answering those would need `multipart/byteranges`; RFC 9110 lets a server send the whole file instead).
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? Number.POSITIVE_INFINITY : Number(last);
  if (end < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(end, size - 1) };
}

/** Types a browser shows without running script: shown inline. Everything else (HTML, SVG, XML, JS, unknown) downloads. */
function isPassive(mediaType: string): boolean {
  if (mediaType === 'image/svg+xml' || mediaType.endsWith('+xml')) return false;
  if (/^(image|video|audio)\/[a-z0-9][a-z0-9.+-]*$/.test(mediaType)) return true;
  return mediaType === 'application/pdf' || mediaType === 'text/plain';
}

/** RFC 5987 `attr-char`: what `filename*` may carry unescaped (encodeURIComponent also leaves `'()*`, which it may not). */
function encodeExtValue(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The `Content-Disposition` of a file response (RFC 6266): `inline` for types that cannot run script (images but
 * SVG, video, audio, PDF, plain text), `attachment` for the rest, so an uploaded HTML or SVG file never runs on our
 * origin. The name goes as an ASCII `filename` (other characters, quotes, backslashes and `%` become `_`) and, when
 * that lost something, as `filename*=UTF-8''…` too, which browsers prefer.
 */
export function contentDisposition(name: string, contentType: string): string {
  const kind = isPassive(mediaTypeOf(contentType)) ? 'inline' : 'attachment';
  const shown = name || 'file';
  const fallback = shown.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  if (fallback === shown) return `${kind}; filename="${fallback}"`;
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encodeExtValue(shown)}`;
}

/** `type/subtype` of a Content-Type, lower-cased, without parameters. */
function mediaTypeOf(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

/** A Content-Type fit to send as is (a header with CR/LF or other controls would make Node throw): else octet-stream. */
function safeContentType(contentType: string): string {
  return /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+(\s*;\s*[a-z0-9!#$&^_.+-]+=("[\x20-\x21\x23-\x7e]*"|[a-z0-9!#$&^_.+-]+))*$/i.test(contentType)
    ? contentType
    : 'application/octet-stream';
}

/** A stored object as {@link sendObject} serves it. */
export interface ServedObject {
  size: number;
  /** The type sniffed from the bytes at upload. */
  contentType: string;
  /** The (sanitised) original name, for `Content-Disposition`. */
  name: string;
  /** The content checksum (hex or base64url), sent quoted as a strong `ETag`. */
  etag: string;
  /** `private, max-age=…` for private files, `public, max-age=…` for public ones: the caller decides. */
  cacheControl: string;
  lastModified?: Date;
  /** The bytes (those of `range`, both ends included, when given); undefined when the object is gone from the store. */
  open(range?: ByteRange): Promise<Readable | undefined>;
}

/** What a request asks of a file: its method and validators. */
export interface ObjectRequest {
  method: string;
  range?: string | undefined;
  ifRange?: string | undefined;
  ifNoneMatch?: string | undefined;
  ifModifiedSince?: string | undefined;
}

/** How to answer a file request (see {@link planObjectResponse}). */
export interface ObjectResponsePlan {
  status: 200 | 206 | 304;
  headers: Record<string, string>;
  /** Bytes to send: the whole object, a range, or none (HEAD, 304). */
  body: { range?: ByteRange } | undefined;
}

/**
 * Decides the answer to a GET or HEAD of a stored object, without touching the store: 304 when `If-None-Match`
 * (or, without it, `If-Modified-Since`) says the client's copy is current; 206 for one satisfiable `Range`
 * (GET only, and only when an `If-Range` names our ETag); else 200. Throws `range_not_satisfiable` (416). The
 * headers forbid sniffing and sandbox the response (a file opened directly can run nothing, even if inline).
 */
export function planObjectResponse(request: ObjectRequest, object: Omit<ServedObject, 'open'>): ObjectResponsePlan {
  if (!/^[\x21\x23-\x7e]{1,128}$/.test(object.etag)) throw new Error('planObjectResponse: etag must be 1-128 printable ASCII characters without quotes');
  const etag = `"${object.etag}"`;
  const validators: Record<string, string> = { ETag: etag, 'Cache-Control': object.cacheControl };
  if (object.lastModified) validators['Last-Modified'] = object.lastModified.toUTCString();
  if (isNotModified(request, etag, object.lastModified)) return { status: 304, headers: validators, body: undefined };

  const range = request.method === 'GET' && rangeApplies(request.ifRange, etag) ? parseRange(request.range, object.size) : undefined;
  if (range === 'unsatisfiable') {
    throw serveErrors.range_not_satisfiable(`The file has ${object.size} bytes`, { headers: { 'Content-Range': `bytes */${object.size}` } });
  }
  const contentType = safeContentType(object.contentType);
  const headers: Record<string, string> = {
    ...validators,
    'Content-Type': contentType,
    'Content-Length': String(range ? range.end - range.start + 1 : object.size),
    'Content-Disposition': contentDisposition(object.name, contentType),
    'Accept-Ranges': 'bytes',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; sandbox",
  };
  if (range) headers['Content-Range'] = `bytes ${range.start}-${range.end}/${object.size}`;
  const body = request.method === 'HEAD' ? undefined : range ? { range } : {};
  return { status: range ? 206 : 200, headers, body };
}

/**
 * Serves a stored object on `ctx` (GET or HEAD), as {@link planObjectResponse} decides, streaming the bytes from
 * `open` (never buffered). 404 when the store has lost the object; 416 thrown as `range_not_satisfiable`, for the
 * error envelope. Koa destroys the source stream when the client goes away.
 *
 * @example
 * ```ts
 * await sendObject(ctx, { ...row, etag: row.checksum, cacheControl: 'private, max-age=300', open: (range) => storage.get(row.key, range) });
 * ```
 */
export async function sendObject(ctx: PlinthContext, object: ServedObject): Promise<void> {
  const plan = planObjectResponse(
    {
      method: ctx.method,
      range: ctx.get('range') || undefined,
      ifRange: ctx.get('if-range') || undefined,
      ifNoneMatch: ctx.get('if-none-match') || undefined,
      ifModifiedSince: ctx.get('if-modified-since') || undefined,
    },
    object,
  );
  const stream = plan.body ? await object.open(plan.body.range) : undefined;
  if (plan.body && !stream) throw new NotFoundError('The file is no longer in storage');
  ctx.status = plan.status;
  ctx.set(plan.headers);
  // Content-Type and Content-Length are set above as headers, so Koa keeps them when the body is a stream.
  if (stream) ctx.body = stream;
}

/**
 * `If-None-Match` (weak comparison, `*` or a list) decides when present; else `If-Modified-Since` (one-second
 * precision, as HTTP dates have).
 */
function isNotModified(request: ObjectRequest, etag: string, lastModified: Date | undefined): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  if (request.ifNoneMatch !== undefined) {
    const tags = request.ifNoneMatch.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
    return tags.includes('*') || tags.includes(etag);
  }
  if (request.ifModifiedSince === undefined || !lastModified) return false;
  const since = Date.parse(request.ifModifiedSince);
  return !Number.isNaN(since) && Math.floor(lastModified.getTime() / 1000) <= Math.floor(since / 1000);
}

/**
 * A `Range` applies without `If-Range`, or when `If-Range` is our strong ETag: the client resumes the same bytes.
 * A date or another tag means the client's part may be stale, so it gets the whole file (always correct).
 */
function rangeApplies(ifRange: string | undefined, etag: string): boolean {
  return ifRange === undefined || ifRange.trim() === etag;
}
