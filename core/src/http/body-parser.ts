import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '@plinth/sdk';
import getRawBody from 'raw-body';
import type { PlinthMiddleware } from './context.js';

const methodsWithBody = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Reads JSON request bodies up to `limitBytes` (413 beyond, checked while
 * streaming), refuses other media types (415) and malformed JSON (400). The
 * raw bytes stay on `ctx.request.rawBody` for signature checks (webhooks).
 */
export function jsonBodyParser(limitBytes: number): PlinthMiddleware {
  return async (ctx, next) => {
    if (!methodsWithBody.has(ctx.method) || !hasBody(ctx.req.headers)) return next();
    if (!ctx.is('application/json', '+json')) {
      throw new UnsupportedMediaTypeError(`Content-Type must be application/json (got ${ctx.get('content-type') || 'none'})`);
    }
    const declared = Number(ctx.get('content-length'));
    if (declared > limitBytes) throw new PayloadTooLargeError(`Request body exceeds ${limitBytes} bytes`);
    let raw: Buffer;
    try {
      raw = await getRawBody(ctx.req, { limit: limitBytes, length: ctx.get('content-length') || undefined });
    } catch (error) {
      const type = (error as { type?: string }).type;
      if (type === 'entity.too.large') throw new PayloadTooLargeError(`Request body exceeds ${limitBytes} bytes`);
      throw new BadRequestError('Request body could not be read', { cause: error });
    }
    ctx.request.rawBody = raw;
    if (raw.length === 0) return next();
    try {
      ctx.request.body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new BadRequestError('Request body is not valid JSON');
    }
    return next();
  };
}

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  return headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');
}
