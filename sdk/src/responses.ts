import { Type, type TSchema, type TUnsafe } from '@sinclair/typebox';

/**
 * Helpers for a route's `response` schema. The kernel documents each route's answer in the OpenAPI document
 * from it, and the test kit checks every real answer against it (shape and status), so a client generated
 * from the document can be trusted.
 *
 * @example
 * route({ method: 'POST', path: '/contacts', schema: { body: NewContact, response: withStatus(Contact, 201) }, … })
 * route({ method: 'DELETE', path: '/contacts/:id', schema: { params: IdParams, response: NoContent }, … })
 */

/** The schema keyword naming the success status(es) a route answers when not 200. */
export const statusKeyword = 'x-status';

/** `schema`, answered with `status` instead of 200 (201 created, 202 accepted; an array when it depends). */
export function withStatus<T extends TSchema>(schema: T, status: number | number[]): T {
  return { ...schema, [statusKeyword]: status };
}

/** The statuses a response schema documents (200 when it names none). */
export function documentedStatuses(schema: TSchema): number[] {
  const declared = (schema as Record<string, unknown>)[statusKeyword];
  return declared === undefined ? [200] : ([declared].flat() as number[]);
}

/** A route answering `204 No Content` (`Reply.noContent()`). */
export const NoContent: TUnsafe<undefined> = Type.Unsafe<undefined>({ [statusKeyword]: 204, description: 'No content' });

/** A route answering a redirect (`Location`), e.g. 302 or 303. */
export function Redirect(status: number, description: string): TUnsafe<string> {
  return Type.Unsafe<string>({ [statusKeyword]: status, description });
}

/** A route answering a body outside the envelope (`Reply.raw`, `Reply.stream`): its media type, e.g. `text/csv`. */
export function rawBody(mediaType: string, description: string, status: number | number[] = 200): TUnsafe<string> {
  return Type.Unsafe<string>({ type: 'string', contentMediaType: mediaType, description, [statusKeyword]: status });
}

/** `schema`, or null. */
export function Nullable<T extends TSchema>(schema: T, options: { description?: string } = {}) {
  return Type.Union([schema, Type.Null()], options);
}

/** A stored timestamp as the API shows it (ISO 8601). */
export const Timestamp = Type.String({ format: 'date-time' });

/** A row as the database returns it: the named timestamp columns are Dates (null where the API type allows null). */
export type Stored<T, K extends keyof T> = Omit<T, K> & { [P in K]: null extends T[P] ? Date | null : Date };

/** `T` as its JSON carries it: Dates, at any depth, are ISO strings. */
export type Json<T> = T extends Date ? string : T extends readonly (infer Item)[] ? Json<Item>[] : T extends object ? { [K in keyof T]: Json<T[K]> } : T;

/** `value` with every Date, at any depth, turned into its ISO string, as `JSON.stringify` sends it: what `Timestamp` describes. */
export function toJson<T>(value: T): Json<T> {
  if (value instanceof Date) return value.toISOString() as Json<T>;
  if (Array.isArray(value)) return value.map(toJson) as Json<T>;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toJson(item)])) as Json<T>;
  }
  return value as Json<T>;
}
