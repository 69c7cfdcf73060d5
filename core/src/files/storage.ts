import type { Readable } from 'node:stream';

/** Bytes `start` to `end` of an object, both included (as in an HTTP `Range`). */
export interface ByteRange {
  start: number;
  end: number;
}

/** An object as a listing shows it. */
export interface StoredObject {
  key: string;
  size: number;
  modifiedAt: Date;
}

/**
 * Where file bytes live: a local folder (the default, under the data dir) or an S3-compatible bucket, chosen by
 * the host (`PLINTH_STORAGE_URL`). Keys are `/`-separated paths that core builds (`t/<tenant>/<plugin>/<file id>`);
 * a driver never sees a user's file name. Drivers know nothing of tenants, rows or quotas: the file service does.
 */
export interface ObjectStorage {
  readonly kind: 'local' | 's3';
  /**
   * Stores `body` under `key`, streaming (never the whole object in memory), and resolves once the object is
   * durable, with its size. If `body` errors or is destroyed, or the store fails, it rejects and nothing remains
   * under `key` (no partial object, no temporary file left behind); an object already under `key` is replaced
   * only when the new one is complete.
   */
  put(key: string, body: Readable, options: { contentType: string }): Promise<{ size: number }>;
  /** The object's bytes (or the range's), or undefined when there is no such object. */
  get(key: string, range?: ByteRange): Promise<Readable | undefined>;
  /** The object's size, or undefined when there is no such object. */
  head(key: string): Promise<{ size: number } | undefined>;
  /** Deletes the object; deleting one that is not there is not an error. */
  delete(key: string): Promise<void>;
  /** Deletes every object whose key starts with `prefix` (a tenant's, a plugin's), returning how many. */
  deletePrefix(prefix: string): Promise<number>;
  /** Every object whose key starts with `prefix`. */
  list(prefix: string): AsyncIterable<StoredObject>;
  close(): Promise<void>;
}
