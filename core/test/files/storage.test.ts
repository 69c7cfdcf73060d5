import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorage, parseStorageUrl } from '../../src/files/create-storage.js';
import { createLocalStorage } from '../../src/files/local-storage.js';
import { createS3Storage } from '../../src/files/s3-storage.js';
import type { ObjectStorage } from '../../src/files/storage.js';
import { startS3TestServer, type S3TestServer } from './s3-test-server.js';

const MiB = 1024 * 1024;
const partSize = 8 * MiB;

/** Byte `offset` of the test data: computed, so 20 MiB are generated and checked without being held. */
function bytesAt(offset: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i += 1) buffer[i] = Math.imul(offset + i, 2654435761) >>> 24;
  return buffer;
}

/** `size` bytes of test data in 1 MiB chunks; throws `failWith` once `failAt` bytes have been read. */
function generated(size: number, failAt?: { bytes: number; error: Error }): Readable {
  return Readable.from(
    (function* () {
      for (let offset = 0; offset < size; offset += MiB) {
        if (failAt && offset >= failAt.bytes) throw failAt.error;
        yield bytesAt(offset, Math.min(MiB, size - offset));
      }
    })(),
    { objectMode: false },
  );
}

async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function bytesOf(stream: Readable | undefined): Promise<Buffer> {
  if (!stream) throw new Error('no object');
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function keysOf(storage: ObjectStorage, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of storage.list(prefix)) keys.push(object.key);
  return keys.sort();
}

const put = (storage: ObjectStorage, key: string, text: string) => storage.put(key, Readable.from([Buffer.from(text)]), { contentType: 'text/plain' });

/**
 * A body that hands over `first`, then waits, reporting when it is asked for more (so `first` has gone past it
 * into the store), until `finish()` gives `rest`.
 */
function gatedBody(first: Buffer, rest: Buffer) {
  let reads = 0;
  let askedForMore!: () => void;
  const waiting = new Promise<void>((resolve) => (askedForMore = resolve));
  const body = new Readable({
    read() {
      reads += 1;
      if (reads === 1) this.push(first);
      else if (reads === 2) askedForMore();
    },
  });
  return {
    body,
    waiting,
    finish() {
      body.push(rest);
      body.push(null);
    },
  };
}

interface Subject {
  storage: ObjectStorage;
  /** Temporary files (local) or multipart uploads (S3) left behind. */
  leftovers(): Promise<string[]>;
  close(): Promise<void>;
}

const subjects: Record<'local' | 's3', () => Promise<Subject>> = {
  async local() {
    const root = await mkdtemp(path.join(tmpdir(), 'plinth-storage-'));
    const storage = createLocalStorage(root);
    return {
      storage,
      leftovers: () => readdir(path.join(root, '.tmp')).catch(() => []),
      close: () => rm(root, { recursive: true, force: true }),
    };
  },
  async s3() {
    const server = await startS3TestServer();
    const credentials = `${server.accessKeyId}:${server.secretAccessKey}`;
    // Built from a URL, as a host configures it, so the URL's key prefix is exercised by every test.
    const storage = createStorage({ url: `s3://${credentials}@${server.bucket}/plinth/contract?endpoint=${server.endpoint}`, dataDir: '/nowhere' });
    return {
      storage,
      leftovers: () => server.pendingUploads(),
      async close() {
        await storage.close();
        await server.stop();
      },
    };
  },
};

describe.each(['local', 's3'] as const)('%s object storage', (kind) => {
  let subject: Subject;
  let storage: ObjectStorage;
  const scope = () => `t/${randomUUID()}`;

  beforeAll(async () => {
    subject = await subjects[kind]();
    storage = subject.storage;
  });
  afterAll(() => subject?.close());

  it('is the kind it says', () => {
    expect(storage.kind).toBe(kind);
  });

  describe('a 20 MiB object (several 8 MiB parts)', () => {
    const size = 20 * MiB + 123;
    const key = `${scope()}/plugin/big`;
    let expected: string;

    beforeAll(async () => {
      expected = await sha256Of(generated(size));
      await expect(storage.put(key, generated(size), { contentType: 'application/octet-stream' })).resolves.toEqual({ size });
    });

    it('reads back byte for byte', async () => {
      const body = await storage.get(key);
      expect(body).toBeDefined();
      expect(await sha256Of(body!)).toBe(expected);
      expect(await subject.leftovers()).toEqual([]);
    });

    it('has its size in head and list', async () => {
      expect(await storage.head(key)).toEqual({ size });
      const listed = [];
      for await (const object of storage.list(key)) listed.push(object);
      expect(listed).toEqual([{ key, size, modifiedAt: expect.any(Date) }]);
      expect(Math.abs(listed[0]!.modifiedAt.getTime() - Date.now())).toBeLessThan(10 * 60_000);
    });

    it.each([
      ['the first byte', 0, 0],
      ['a middle range across a part boundary', partSize - 5, partSize + 4],
      ['the last byte', size - 1, size - 1],
    ])('reads %s', async (_, start, end) => {
      expect(await bytesOf(await storage.get(key, { start, end }))).toEqual(bytesAt(start, end - start + 1));
    });

    it('cuts a range running past the end at the end', async () => {
      expect(await bytesOf(await storage.get(key, { start: size - 2, end: size + 100 }))).toEqual(bytesAt(size - 2, 2));
    });

    it('refuses a range starting past the end', async () => {
      await expect(storage.get(key, { start: size, end: size + 10 })).rejects.toThrow(RangeError);
    });
  });

  it('answers undefined for a missing object', async () => {
    const key = `${scope()}/p/missing`;
    expect(await storage.get(key)).toBeUndefined();
    expect(await storage.get(key, { start: 0, end: 1 })).toBeUndefined();
    expect(await storage.head(key)).toBeUndefined();
  });

  it('stores an empty object', async () => {
    const key = `${scope()}/p/empty`;
    await expect(storage.put(key, Readable.from([]), { contentType: 'text/plain' })).resolves.toEqual({ size: 0 });
    expect(await storage.head(key)).toEqual({ size: 0 });
    expect(await bytesOf(await storage.get(key))).toEqual(Buffer.alloc(0));
  });

  it('deletes an object, and deleting a missing one is not an error', async () => {
    const key = `${scope()}/p/file`;
    await put(storage, key, 'hello');
    await storage.delete(key);
    expect(await storage.head(key)).toBeUndefined();
    expect(await storage.get(key)).toBeUndefined();
    await expect(storage.delete(key)).resolves.toBeUndefined();
    await expect(storage.delete(`${scope()}/never/was`)).resolves.toBeUndefined();
  });

  it('lists by prefix, as a string prefix', async () => {
    const base = scope();
    const keys = [`${base}/a/1`, `${base}/a/b/2`, `${base}/ab/3`, `${base}/b/4`];
    for (const key of keys) await put(storage, key, key);
    expect(await keysOf(storage, `${base}/`)).toEqual(keys);
    expect(await keysOf(storage, `${base}/a/`)).toEqual([`${base}/a/1`, `${base}/a/b/2`]);
    expect(await keysOf(storage, `${base}/a`)).toEqual([`${base}/a/1`, `${base}/a/b/2`, `${base}/ab/3`]);
    expect(await keysOf(storage, `${base}/c/`)).toEqual([]);
    const sizes = [];
    for await (const object of storage.list(`${base}/b/`)) sizes.push(object.size);
    expect(sizes).toEqual([`${base}/b/4`.length]);
  });

  it('deletes by prefix, only that prefix, and counts', async () => {
    const base = scope();
    const other = scope();
    for (const key of [`${base}/crm/1`, `${base}/crm/x/2`, `${base}/crm-extra/3`, `${base}/shop/4`, `${other}/crm/5`]) await put(storage, key, key);
    expect(await storage.deletePrefix(`${base}/crm/`)).toBe(2);
    expect(await keysOf(storage, `${base}/`)).toEqual([`${base}/crm-extra/3`, `${base}/shop/4`]);
    expect(await keysOf(storage, `${other}/`)).toEqual([`${other}/crm/5`]);
    expect(await storage.deletePrefix(`${base}/`)).toBe(2);
    expect(await keysOf(storage, `${base}/`)).toEqual([]);
    expect(await storage.deletePrefix(`${base}/`)).toBe(0);
  });

  it('leaves nothing behind when the body errors midway through a large object', async () => {
    const key = `${scope()}/p/broken`;
    const error = new Error('the client went away');
    const body = generated(20 * MiB, { bytes: 12 * MiB, error });
    await expect(storage.put(key, body, { contentType: 'video/mp4' })).rejects.toBe(error);
    expect(await storage.head(key)).toBeUndefined();
    expect(await keysOf(storage, key)).toEqual([]);
    expect(await subject.leftovers()).toEqual([]);
  });

  it('leaves nothing behind when the body is destroyed', async () => {
    const key = `${scope()}/p/destroyed`;
    const gate = gatedBody(bytesAt(0, 1000), Buffer.alloc(0));
    const stored = storage.put(key, gate.body, { contentType: 'text/plain' });
    await gate.waiting;
    gate.body.destroy();
    await expect(stored).rejects.toThrow();
    expect(await storage.head(key)).toBeUndefined();
    expect(await keysOf(storage, key)).toEqual([]);
    expect(await subject.leftovers()).toEqual([]);
  });

  it('keeps the old object readable until the new one is complete', async () => {
    const key = `${scope()}/p/replaced`;
    await put(storage, key, 'old bytes');
    const gate = gatedBody(Buffer.from('new '), Buffer.from('and longer bytes'));
    const replacing = storage.put(key, gate.body, { contentType: 'text/plain' });
    await gate.waiting;
    expect((await bytesOf(await storage.get(key))).toString()).toBe('old bytes');
    expect(await storage.head(key)).toEqual({ size: 9 });
    gate.finish();
    await expect(replacing).resolves.toEqual({ size: 20 });
    expect((await bytesOf(await storage.get(key))).toString()).toBe('new and longer bytes');
  });

  it('keeps the old object when a replacement fails', async () => {
    const key = `${scope()}/p/kept`;
    await put(storage, key, 'old bytes');
    const error = new Error('upload cut');
    await expect(storage.put(key, generated(3 * MiB, { bytes: 2 * MiB, error }), { contentType: 'text/plain' })).rejects.toBe(error);
    expect((await bytesOf(await storage.get(key))).toString()).toBe('old bytes');
    expect(await subject.leftovers()).toEqual([]);
  });

  it.each(['', '/etc/passwd', 'a//b', 'a/../b', '..', './a', 'a/', 'a\\b', 'a\0b'])('refuses the key %j', async (key) => {
    await expect(put(storage, key, 'x')).rejects.toThrow(/Storage key/);
    await expect(storage.get(key)).rejects.toThrow(/Storage key/);
    await expect(storage.head(key)).rejects.toThrow(/Storage key/);
    await expect(storage.delete(key)).rejects.toThrow(/Storage key/);
  });

  it.each(['/t', '../', 't//x', 't/../'])('refuses the prefix %j', async (prefix) => {
    await expect(keysOf(storage, prefix)).rejects.toThrow(/Storage prefix/);
    await expect(storage.deletePrefix(prefix)).rejects.toThrow(/Storage prefix/);
  });
});

describe('local object storage on disk', () => {
  let root: string;
  let storage: ObjectStorage;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'plinth-storage-'));
    storage = createLocalStorage(root);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('keeps an object at its key path, and removes folders its deletes empty', async () => {
    await put(storage, 't/one/crm/file-1', 'a');
    await put(storage, 't/one/shop/file-2', 'b');
    expect(existsSync(path.join(root, 't', 'one', 'crm', 'file-1'))).toBe(true);
    await storage.delete('t/one/crm/file-1');
    expect(existsSync(path.join(root, 't', 'one', 'crm'))).toBe(false);
    expect(await storage.deletePrefix('t/one/')).toBe(1);
    expect(await readdir(root)).toEqual(['.tmp']);
  });

  it('keeps its temporary folder out of keys and listings', async () => {
    await expect(put(storage, '.tmp/x', 'x')).rejects.toThrow(/reserved/);
    await put(storage, 't/two/p/f', 'x');
    expect(await keysOf(storage, '')).toEqual(['t/two/p/f']);
  });

  it('answers undefined for a key that is a folder', async () => {
    await put(storage, 't/three/p/f', 'x');
    expect(await storage.head('t/three/p')).toBeUndefined();
    expect(await storage.get('t/three/p')).toBeUndefined();
  });
});

describe('s3 object storage', () => {
  let server: S3TestServer;
  const credentials = () => ({ accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey });
  beforeAll(async () => {
    server = await startS3TestServer();
  });
  afterAll(() => server?.stop());

  it('keeps objects under the key prefix of its URL', async () => {
    const options = { bucket: server.bucket, endpoint: server.endpoint, forcePathStyle: true, credentials: credentials() };
    const prefixed = createStorage({ url: `s3://S3RVER:S3RVER@${server.bucket}/host-a?endpoint=${server.endpoint}`, dataDir: '/nowhere' });
    const whole = createS3Storage(options);
    try {
      await put(prefixed, 't/x/p/f', 'x');
      expect(await keysOf(whole, '')).toEqual(['host-a/t/x/p/f']);
      expect(await keysOf(prefixed, '')).toEqual(['t/x/p/f']);
      expect(await prefixed.deletePrefix('')).toBe(1);
      expect(await keysOf(whole, '')).toEqual([]);
    } finally {
      await prefixed.close();
      await whole.close();
    }
  });

  it('deletes by prefix more objects than one DeleteObjects request takes (1000)', { timeout: 120_000 }, async () => {
    // Keys without folders: s3rver's DeleteObjects deletes a batch in parallel and fails (500) when two deletes race
    // to remove the folder they emptied; S3 has no folders.
    const storage = createS3Storage({ bucket: server.bucket, endpoint: server.endpoint, forcePathStyle: true, credentials: credentials() });
    try {
      const keys = Array.from({ length: 1001 }, (_, i) => `bulk-${i}`);
      for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((key) => put(storage, key, 'x')));
      await put(storage, 'other', 'kept');
      expect(await storage.deletePrefix('bulk-')).toBe(1001);
      expect(await keysOf(storage, '')).toEqual(['other']);
    } finally {
      await storage.close();
    }
  });

  it('fails with the store’s error, not as a missing object, when the bucket does not exist', async () => {
    const storage = createS3Storage({ bucket: 'no-such-bucket', endpoint: server.endpoint, forcePathStyle: true, credentials: credentials() });
    try {
      await expect(put(storage, 't/x/p/f', 'x')).rejects.toThrow(/bucket/i);
      await expect(storage.get('t/x/p/f')).rejects.toThrow(/bucket/i);
      await expect(keysOf(storage, 't/')).rejects.toThrow(/bucket/i);
    } finally {
      await storage.close();
    }
  });
});

describe('createStorage URLs', () => {
  it('stores under <data dir>/files when unset, the data dir relative to the working directory', () => {
    expect(parseStorageUrl(undefined, '.plinth')).toEqual({ kind: 'local', root: path.resolve('.plinth', 'files') });
    expect(parseStorageUrl('', '/var/lib/plinth')).toEqual({ kind: 'local', root: '/var/lib/plinth/files' });
    expect(createStorage({ dataDir: '/var/lib/plinth' }).kind).toBe('local');
  });

  it('stores in the folder of a file:// URL', () => {
    expect(parseStorageUrl('file:///srv/plinth/files', '.plinth')).toEqual({ kind: 'local', root: '/srv/plinth/files' });
    expect(parseStorageUrl('file:///srv/my%20files/', '.plinth')).toEqual({ kind: 'local', root: '/srv/my files/' });
  });

  it('reads bucket, prefix, endpoint, region and path style from an s3:// URL', () => {
    expect(parseStorageUrl('s3://my-bucket', '.plinth')).toEqual({
      kind: 's3',
      options: { bucket: 'my-bucket', keyPrefix: '', region: undefined, endpoint: undefined, forcePathStyle: false, credentials: undefined },
    });
    expect(parseStorageUrl('s3://files.example.com/plinth/prod/?region=eu-west-1', '.plinth')).toMatchObject({
      kind: 's3',
      options: { bucket: 'files.example.com', keyPrefix: 'plinth/prod/', region: 'eu-west-1', forcePathStyle: false },
    });
    expect(parseStorageUrl('s3://b-1/p?endpoint=http://127.0.0.1:9000', '.plinth')).toMatchObject({
      options: { bucket: 'b-1', keyPrefix: 'p/', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true },
    });
    expect(parseStorageUrl('s3://b-1?endpoint=https://s3.example.com&forcePathStyle=false', '.plinth')).toMatchObject({
      options: { endpoint: 'https://s3.example.com', forcePathStyle: false },
    });
  });

  it('takes %-encoded credentials from the URL, else leaves them to the AWS SDK chain', () => {
    expect(parseStorageUrl('s3://AKIA123:se%2Fcr%40et%2B@bucket', '.plinth')).toMatchObject({
      options: { credentials: { accessKeyId: 'AKIA123', secretAccessKey: 'se/cr@et+' } },
    });
    expect(parseStorageUrl('s3://bucket', '.plinth')).toMatchObject({ options: { credentials: undefined } });
  });

  it.each([
    ['not a url', /is not a URL/],
    ['http://example.com/files', /scheme "http:"/],
    ['file://server/share', /three slashes/],
    ['file:///', /root/],
    ['file:///srv/files?x=1', /query/],
    ['s3://B', /bucket name/],
    ['s3://', /bucket name/],
    ['s3://bucket:9000', /port/],
    ['s3://bucket?acl=public', /unknown parameter "acl"/],
    ['s3://bucket?region=a&region=b', /twice/],
    ['s3://bucket?forcePathStyle=yes', /forcePathStyle=yes/],
    ['s3://bucket?endpoint=ftp://host', /endpoint/],
    ['s3://bucket?endpoint=nope', /endpoint/],
    ['s3://KEY@bucket', /without a secret/],
    ['s3://bucket/a/..%2Fb', /key prefix/],
    ['s3://bucket/a%2F%2Fb', /key prefix/],
  ])('refuses %j with a clear message', (url, message) => {
    expect(() => parseStorageUrl(url, '.plinth')).toThrow(message);
    expect(() => parseStorageUrl(url, '.plinth')).toThrow(/^PLINTH_STORAGE_URL /);
  });

  it('never repeats a secret in its errors', () => {
    expect(() => parseStorageUrl('s3://KEY:TOPSECRET@bucket?acl=x', '.plinth')).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('TOPSECRET') }),
    );
  });
});
