/** A value, or a promise of it: what a lookup returns when a cache hit needs no wait (see `Cache.peek`). */
export type MaybePromise<T> = T | Promise<T>;

/** `next(value)`, after waiting for `value` only when it is a promise: a synchronous value costs no turn of the event loop. */
export function andThen<T, R>(value: MaybePromise<T>, next: (value: T) => MaybePromise<R>): MaybePromise<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}
