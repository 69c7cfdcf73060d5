import type { Pagination, SuccessEnvelope } from '@plinth/sdk';
import type { PlinthContext } from './context.js';

export interface RespondOptions {
  status?: 200 | 201 | 202;
  pagination?: Pagination;
}

/** Writes the success envelope `{ success: true, data, meta }`. */
export function respond<T>(ctx: PlinthContext, data: T, options: RespondOptions = {}): void {
  const body: SuccessEnvelope<T> = {
    success: true,
    data,
    meta: options.pagination ? { request_id: ctx.state.requestId, pagination: options.pagination } : { request_id: ctx.state.requestId },
  };
  ctx.status = options.status ?? 200;
  ctx.body = body;
}
