import { randomUUID } from 'node:crypto';

const wellFormed = /^[A-Za-z0-9._:-]{8,128}$/;

/** The request's id: a well-formed `X-Request-Id` from the client (8–128 of `A-Za-z0-9._:-`), else a new UUID. */
export function requestIdFrom(given: string | undefined): string {
  return given !== undefined && wellFormed.test(given) ? given : randomUUID();
}
