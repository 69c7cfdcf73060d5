import type { ByteRange } from './storage.js';

/**
 * Checks an object key: `/`-separated segments, none empty, `.` or `..`, no leading `/`, no backslash or NUL.
 * Core builds every key, so a bad one is a programming error: it throws a plain Error, never a 4xx.
 */
export function assertKey(key: string): void {
  assertPath(key, 'key');
  if (key.endsWith('/')) throw new Error(`Storage key ${JSON.stringify(key)} ends with "/"`);
}

/** Checks a listing prefix: like a key, but it may be empty (everything) or end with `/` (a whole folder). */
export function assertPrefix(prefix: string): void {
  if (prefix === '') return;
  assertPath(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix, 'prefix');
}

function assertPath(value: string, what: 'key' | 'prefix'): void {
  const shown = JSON.stringify(value);
  if (typeof value !== 'string' || value === '') throw new Error(`Storage ${what} must be a non-empty string`);
  if (value.includes('\\') || value.includes('\0')) throw new Error(`Storage ${what} ${shown} contains a backslash or NUL`);
  if (value.startsWith('/')) throw new Error(`Storage ${what} ${shown} is absolute`);
  for (const segment of value.split('/')) {
    if (segment === '') throw new Error(`Storage ${what} ${shown} has an empty segment`);
    if (segment === '.' || segment === '..') throw new Error(`Storage ${what} ${shown} has a "${segment}" segment`);
  }
}

/** Checks a byte range (whole numbers, `start <= end`); whether it fits the object is the store's to say. */
export function assertRange(range: ByteRange): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new RangeError(`Invalid byte range ${start}-${end}`);
  }
}
