import type { BodyOptions } from '@plinth/sdk';
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '@plinth/sdk';
import getRawBody from 'raw-body';
import type { PlinthContext } from './context.js';
import { assertSafeInput } from './validation.js';

const methodsWithBody = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** What a route accepts when it says nothing: JSON. */
export const jsonOnly: BodyOptions['types'] = ['application/json'];

/**
 * Reads a request body of one of `types` up to `limitBytes` (413 beyond,
 * checked while streaming), refusing other media types (415) and malformed
 * JSON (400). JSON arrives parsed, urlencoded forms as an object of strings,
 * text as a string; the raw bytes stay on `ctx.request.rawBody` for signature
 * checks (webhooks). What no field may hold (NUL, lone surrogates, `__proto__`
 * keys, non-finite numbers, deep nesting: see `inputProblems`) is refused here
 * with 422, whatever the route. A `multipart/form-data` or `application/offset+octet-stream` (tus) body is left unread, for the handler to stream.
 */
export async function readBody(ctx: PlinthContext, types: BodyOptions['types'], limitBytes: number): Promise<void> {
  if (!methodsWithBody.has(ctx.method) || !hasBody(ctx.req.headers)) return;
  const type = types.find((candidate) => (candidate === 'application/json' ? ctx.is('application/json', '+json') : ctx.is(candidate)));
  if (!type) throw new UnsupportedMediaTypeError(`Content-Type must be ${types.join(' or ')} (got ${ctx.get('content-type') || 'none'})`);
  const declared = Number(ctx.get('content-length'));
  if (declared > limitBytes) throw new PayloadTooLargeError(`Request body exceeds ${limitBytes} bytes`);
  // Uploads stream through the handler (never held in memory here): it reads the body and enforces its limits.
  if (type === 'multipart/form-data' || type === 'application/offset+octet-stream') return;
  let raw: Buffer;
  try {
    raw = await getRawBody(ctx.req, { limit: limitBytes, length: ctx.get('content-length') || undefined });
  } catch (error) {
    if ((error as { type?: string }).type === 'entity.too.large') throw new PayloadTooLargeError(`Request body exceeds ${limitBytes} bytes`);
    throw new BadRequestError('Request body could not be read', { cause: error });
  }
  ctx.request.rawBody = raw;
  if (raw.length === 0) return;
  const text = raw.toString('utf8');
  if (type === 'application/json') {
    try {
      ctx.request.body = JSON.parse(text);
    } catch {
      throw new BadRequestError('Request body is not valid JSON');
    }
  } else if (type === 'application/x-www-form-urlencoded') {
    ctx.request.body = Object.fromEntries(new URLSearchParams(text));
  } else {
    ctx.request.body = text;
  }
  assertSafeInput(ctx.request.body, 'body');
}

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  return headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');
}
