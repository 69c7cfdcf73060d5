import { isPlinthError, NotFoundError, PlinthError, type ErrorEnvelope } from '@plinth/sdk';
import { databaseErrorToPlinthError } from '../db/database-errors.js';
import type { Logger } from '../logger.js';
import type { PlinthContext } from './context.js';
import { errorLanguage, translateError } from './error-language.js';

/** A request no route answered: `404 not_found`, or `405 method_not_allowed` when the router said so. */
export function assertAnswered(ctx: PlinthContext): void {
  if (ctx.body != null) return;
  if (ctx.status === 404) throw new NotFoundError(`No route for ${ctx.method} ${ctx.path}`);
  if (ctx.status === 405) throw new PlinthError(405, 'method_not_allowed', `${ctx.method} is not allowed on ${ctx.path}`);
}

/**
 * The one place errors become responses (the request frame in app.ts calls it): a {@link PlinthError} keeps its
 * status, code, message and field errors; a database error that is the
 * client's fault (bad input, a duplicate) or the database's absence becomes
 * the 4xx or 503 it really is (core/src/db/database-errors.ts); anything else
 * is logged with the request id and answered `500 internal_error` with
 * nothing of its message. The message and field errors follow `Accept-Language`
 * where the kernel's catalogue has them (error-messages.ts); `code` never does.
 */
export function writeError(ctx: PlinthContext, error: unknown, logger: Logger): void {
  const body: ErrorEnvelope = { success: false, code: 'internal_error', message: 'Internal server error', meta: { request_id: ctx.state.requestId } };
  let status = 500;
  const mapped = isPlinthError(error) ? undefined : databaseErrorToPlinthError(error);
  if (mapped) {
    const level = mapped.status === 503 ? 'warn' : 'info';
    logger[level]({ err: error, requestId: ctx.state.requestId, method: ctx.method, path: ctx.path, status: mapped.status }, 'database error answered');
    error = mapped;
  }
  if (isPlinthError(error)) {
    status = error.status;
    body.code = error.code;
    body.message = error.message;
    if (error.errors) body.errors = error.errors;
    for (const [name, value] of Object.entries(error.headers)) ctx.set(name, value);
  } else {
    logger.error({ err: error, requestId: ctx.state.requestId, method: ctx.method, path: ctx.path }, 'unhandled error');
  }
  const language = errorLanguage(ctx);
  if (language !== 'en') {
    try {
      const translated = translateError(body.message, body.errors, language);
      // The thrower's own translation first (a plugin's catalogued error), then the kernel's catalogue.
      body.message = (isPlinthError(error) ? error.translations?.[language] : undefined) ?? translated.message;
      if (translated.errors) body.errors = translated.errors;
    } catch (translationError) {
      // A broken translation must not turn a 4xx into a 500: the English message stands.
      logger.error({ err: translationError, requestId: ctx.state.requestId, language }, 'could not translate an error message');
    }
  }
  ctx.vary('Accept-Language');
  ctx.status = status;
  ctx.body = body;
}
