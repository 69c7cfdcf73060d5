import { randomUUID } from 'node:crypto';
import type { PlinthMiddleware } from './context.js';

const wellFormed = /^[A-Za-z0-9._:-]{8,128}$/;

/** Takes a well-formed `X-Request-Id` from the client or makes one, and echoes it on the response. */
export const requestId: PlinthMiddleware = async (ctx, next) => {
  const given = ctx.get('x-request-id');
  ctx.state.requestId = wellFormed.test(given) ? given : randomUUID();
  ctx.set('X-Request-Id', ctx.state.requestId);
  await next();
};
