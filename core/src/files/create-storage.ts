import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLocalStorage } from './local-storage.js';
import type { S3StorageOptions } from './s3-storage.js';
import { assertPrefix } from './storage-keys.js';
import type { ObjectStorage } from './storage.js';

/** Where a storage URL points: a local folder or an S3 bucket (with a key prefix). */
export type StorageTarget = { kind: 'local'; root: string } | { kind: 's3'; options: S3StorageOptions };

const s3Parameters = new Set(['endpoint', 'region', 'forcePathStyle']);
const bucketName = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * The object store the host chose with `PLINTH_STORAGE_URL` (config key `storageUrl`):
 * - unset: files under `<dataDir>/files` (the data dir may be relative to the working directory);
 * - `file:///srv/plinth/files`: files under that absolute folder;
 * - `s3://bucket/optional/prefix?region=eu-west-1`, or for an S3-compatible server
 *   `s3://KEY:SECRET@bucket?endpoint=http://127.0.0.1:9000&forcePathStyle=true` (path-style is the default with an
 *   `endpoint`). Credentials not in the URL come from the AWS SDK's default chain (`AWS_ACCESS_KEY_ID`…).
 *
 * Throws an Error naming what is wrong (never echoing a secret) for a URL it cannot use.
 */
export function createStorage(options: { url?: string | undefined; dataDir: string }): ObjectStorage {
  const target = parseStorageUrl(options.url, options.dataDir);
  return target.kind === 'local'
    ? createLocalStorage(target.root)
    : loadedOnFirstUse('s3', async () => (await import('./s3-storage.js')).createS3Storage(target.options));
}

/** A store whose module is loaded when it is first used (the AWS SDK: about 10 MB resident), so boot does not pay for it. */
function loadedOnFirstUse(kind: ObjectStorage['kind'], load: () => Promise<ObjectStorage>): ObjectStorage {
  let loading: Promise<ObjectStorage> | undefined;
  const store = () => (loading ??= load());
  return {
    kind,
    put: async (key, body, options) => (await store()).put(key, body, options),
    get: async (key, range) => (await store()).get(key, range),
    head: async (key) => (await store()).head(key),
    delete: async (key) => (await store()).delete(key),
    deletePrefix: async (prefix) => (await store()).deletePrefix(prefix),
    async *list(prefix) {
      yield* (await store()).list(prefix);
    },
    close: async () => (loading ? (await loading).close() : undefined),
  };
}

/** What {@link createStorage} would build, without building it. */
export function parseStorageUrl(url: string | undefined, dataDir: string): StorageTarget {
  if (url === undefined || url === '') return { kind: 'local', root: path.resolve(dataDir, 'files') };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid('is not a URL; use file:///absolute/folder or s3://bucket/prefix');
  }
  if (parsed.protocol === 'file:') return { kind: 'local', root: parseFileUrl(parsed) };
  if (parsed.protocol === 's3:') return { kind: 's3', options: parseS3Url(parsed) };
  throw invalid(`has the scheme "${parsed.protocol}"; use file:///absolute/folder or s3://bucket/prefix`);
}

function parseFileUrl(url: URL): string {
  if (url.search || url.hash) throw invalid('is a file:// URL with a query or fragment; a file:// URL names a folder only');
  let root: string;
  try {
    root = fileURLToPath(url);
  } catch {
    throw invalid('is a file:// URL with a host; write file:///absolute/folder (three slashes)');
  }
  if (root === path.parse(root).root) throw invalid('names the file system root; name a folder for the files');
  return root;
}

function parseS3Url(url: URL): S3StorageOptions {
  const bucket = url.hostname;
  if (!bucketName.test(bucket) || bucket.includes('..')) {
    throw invalid('has no valid bucket name after s3:// (3 to 63 lower-case letters, digits, dots or hyphens)');
  }
  if (url.port) throw invalid('has a port after the bucket; put the server in ?endpoint=http://host:port');
  if (url.hash) throw invalid('has a fragment (#…); remove it');
  const credentials = parseCredentials(url);
  const keyPrefix = parseKeyPrefix(url.pathname);
  const parameters = parseParameters(url.searchParams);
  const endpoint = parameters.get('endpoint');
  if (endpoint !== undefined) assertEndpoint(endpoint);
  const forcePathStyle = parameters.get('forcePathStyle');
  if (forcePathStyle !== undefined && forcePathStyle !== 'true' && forcePathStyle !== 'false') {
    throw invalid(`has forcePathStyle=${forcePathStyle}; use true or false`);
  }
  const region = parameters.get('region');
  if (region !== undefined && !/^[a-z0-9-]{1,64}$/.test(region)) throw invalid('has a region that is not a region name such as eu-west-1');
  return {
    bucket,
    keyPrefix,
    region,
    endpoint,
    forcePathStyle: forcePathStyle === undefined ? endpoint !== undefined : forcePathStyle === 'true',
    credentials,
  };
}

function parseCredentials(url: URL): S3StorageOptions['credentials'] {
  if (!url.username && !url.password) return undefined;
  if (!url.username || !url.password) throw invalid('has an access key without a secret (or a secret without a key): give both as s3://KEY:SECRET@bucket');
  try {
    return { accessKeyId: decodeURIComponent(url.username), secretAccessKey: decodeURIComponent(url.password) };
  } catch {
    throw invalid('has credentials with a bad %-escape');
  }
}

/** `/a/b` and `/a/b/` are the prefix `a/b/`; `/` or nothing is none. */
function parseKeyPrefix(pathname: string): string {
  let prefix: string;
  try {
    prefix = decodeURIComponent(pathname).replace(/^\//, '');
  } catch {
    throw invalid('has a key prefix with a bad %-escape');
  }
  if (prefix === '') return '';
  if (!prefix.endsWith('/')) prefix += '/';
  try {
    assertPrefix(prefix);
  } catch {
    throw invalid(`has the key prefix ${JSON.stringify(prefix)}; use segments separated by single slashes, without "." or ".."`);
  }
  return prefix;
}

function parseParameters(search: URLSearchParams): Map<string, string> {
  const parameters = new Map<string, string>();
  for (const [name, value] of search) {
    if (!s3Parameters.has(name)) throw invalid(`has the unknown parameter "${name}"; known: ${[...s3Parameters].join(', ')}`);
    if (parameters.has(name)) throw invalid(`has the parameter "${name}" twice`);
    parameters.set(name, value);
  }
  return parameters;
}

function assertEndpoint(endpoint: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(endpoint);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.username || parsed.search) {
    throw invalid('has an endpoint that is not an http(s) URL without credentials or query, such as http://127.0.0.1:9000');
  }
}

function invalid(problem: string): Error {
  return new Error(`PLINTH_STORAGE_URL ${problem}`);
}
