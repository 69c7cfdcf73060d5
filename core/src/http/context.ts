import type { Router, RouterContext } from '@koa/router';
import type Koa from 'koa';

declare module 'koa' {
  interface Request {
    /** Parsed JSON body (undefined when the request had none). */
    body?: unknown;
    /** The body's bytes as received, for signature checks. */
    rawBody?: Buffer;
  }
}

/** What the kernel keeps on `ctx.state` for every request. */
export interface PlinthState {
  requestId: string;
}

export type PlinthContext = RouterContext<PlinthState>;

export type PlinthMiddleware = Koa.Middleware<PlinthState, PlinthContext>;

export type PlinthRouter = Router<PlinthState>;
