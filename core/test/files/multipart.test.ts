import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readUpload, safeFileName, type UploadOptions } from '../../src/files/multipart.js';
import { startTinyApp, type TinyApp } from './koa-harness.js';

/** What the handler saw of the last upload: the file it read to the end, or the error its stream failed with. */
type Outcome = { ok: true; size: number } | { ok: false; error: unknown; bytesBeforeError: number };

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

let app: TinyApp;
let options: UploadOptions;
let started: Deferred<void>;
let outcome: Deferred<Outcome>;

beforeAll(async () => {
  app = await startTinyApp(async (ctx) => {
    const upload = await readUpload(ctx.req, options);
    started.resolve();
    const hash = createHash('sha256');
    let size = 0;
    try {
      for await (const chunk of upload.file.stream) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).length;
      }
    } catch (error) {
      outcome.resolve({ ok: false, error, bytesBeforeError: size });
      throw error;
    }
    outcome.resolve({ ok: true, size });
    ctx.body = { fields: { ...upload.fields }, name: upload.file.name, declaredType: upload.file.declaredType, size, sha256: hash.digest('hex') };
  });
});
afterAll(() => app.close());
beforeEach(() => {
  options = { maxBytes: 1024 * 1024 };
  started = deferred();
  outcome = deferred();
});

function form(...parts: [string, string | Blob, string?][]): FormData {
  const body = new FormData();
  for (const [name, value, fileName] of parts) {
    if (typeof value === 'string') body.append(name, value);
    else body.append(name, value, fileName);
  }
  return body;
}

async function post(body: FormData): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(app.url, { method: 'POST', body });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const boundary = 'XbOuNdArYx';
const multipartType = `multipart/form-data; boundary=${boundary}`;

/** A hand-written multipart body, for what FormData will not send. */
function rawBody(parts: { headers: string[]; body: string | Buffer }[], close = true): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n${part.headers.join('\r\n')}\r\n\r\n`), Buffer.from(part.body), Buffer.from('\r\n'));
  }
  if (close) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

const filePart = (disposition: string, body: string | Buffer = 'hello', type = 'text/plain') => ({
  headers: [`Content-Disposition: form-data; ${disposition}`, `Content-Type: ${type}`],
  body,
});

async function postRaw(body: Buffer, contentType = multipartType): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(app.url, { method: 'POST', body: new Uint8Array(body), headers: { 'content-type': contentType } });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('readUpload', () => {
  it('streams the file intact, with the fields sent before it', async () => {
    const bytes = randomBytes(300_000);
    const { status, json } = await post(form(['owner', 'shop'], ['public', 'true'], ['file', new Blob([bytes], { type: 'image/png' }), 'photo.png']));
    expect(status).toBe(200);
    expect(json).toEqual({
      fields: { owner: 'shop', public: 'true' },
      name: 'photo.png',
      declaredType: 'image/png',
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
  });

  it('streams a file larger than any buffer, with back-pressure, intact', async () => {
    options = { maxBytes: 8 * 1024 * 1024 };
    const bytes = randomBytes(6 * 1024 * 1024);
    const { status, json } = await post(form(['file', new Blob([bytes]), 'big.bin']));
    expect(status).toBe(200);
    expect(json.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(json.declaredType).toBe('application/octet-stream');
  });

  it('keeps a non-ASCII file name, sent raw (browsers) or RFC 5987-encoded', async () => {
    const name = 'Résumé – 日本語 ✓.pdf';
    expect((await post(form(['file', new Blob(['%PDF']), name]))).json.name).toBe(name);
    const encoded = await postRaw(rawBody([filePart(`name="file"; filename*=UTF-8''na%C3%AFve%20caf%C3%A9.txt`)]));
    expect(encoded.json.name).toBe('naïve café.txt');
  });

  it('refuses a file name that is a path (traversal or otherwise) with 400, reading nothing', async () => {
    for (const sent of ['../../etc/passwd', '..\\..\\windows\\win.ini', '/abs/path/x.txt', '..', '.']) {
      const { status, json } = await postRaw(rawBody([filePart(`name="file"; filename="${sent}"`)]));
      expect(status, sent).toBe(400);
      expect(json, sent).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/must be a name, not a path/) });
    }
  });

  it('accepts a file of exactly maxBytes, and refuses one byte more with 413, passing on no more than maxBytes', async () => {
    options = { maxBytes: 1000 };
    expect((await post(form(['file', new Blob([Buffer.alloc(1000, 1)]), 'a.bin']))).json.size).toBe(1000);
    outcome = deferred();
    const { status, json } = await post(form(['file', new Blob([Buffer.alloc(1001, 1)]), 'a.bin']));
    expect(status).toBe(413);
    expect(json).toMatchObject({ success: false, code: 'payload_too_large' });
    const seen = await outcome.promise;
    expect(seen.ok).toBe(false);
    expect(!seen.ok && seen.bytesBeforeError).toBeLessThanOrEqual(1000);
  });

  it('answers 413 to a file far past the limit, found while streaming, while the client is still sending', async () => {
    // Room for large fields, so that the declared length alone does not give the file away.
    options = { maxBytes: 64 * 1024, maxFields: 10, maxFieldBytes: 1024 * 1024 };
    const { status, json } = await post(form(['file', new Blob([randomBytes(5 * 1024 * 1024)]), 'huge.bin']));
    expect(status).toBe(413);
    expect(json.code).toBe('payload_too_large');
    const seen = await outcome.promise;
    expect(seen.ok).toBe(false);
    expect(!seen.ok && seen.bytesBeforeError).toBeLessThanOrEqual(64 * 1024);
  });

  it('answers 413 before reading the body when its declared length cannot fit the limit', async () => {
    options = { maxBytes: 1000, maxFields: 1, maxFieldBytes: 100 };
    const head = rawBody([filePart('name="file"; filename="big.bin"', Buffer.alloc(100, 1))], false);
    // The body announced is never sent in full: only an answer given before reading it can arrive.
    const client = request(app.url, { method: 'POST', headers: { 'content-type': multipartType, 'content-length': String(100 * 1024 * 1024) } });
    client.on('error', () => {});
    const answer = new Promise<{ status: number; body: string }>((resolve) => {
      client.on('response', (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode!, body }));
      });
    });
    client.write(head);
    const { status, body } = await answer;
    client.destroy();
    expect(status).toBe(413);
    expect(JSON.parse(body)).toMatchObject({ code: 'payload_too_large' });
  });

  it('refuses an empty file with 422 on `file`, unless minBytes is 0', async () => {
    const { status, json } = await post(form(['file', new Blob([]), 'empty.txt']));
    expect(status).toBe(422);
    expect(json).toMatchObject({ code: 'validation_failed', errors: { file: ['is empty'] } });
    expect((await outcome.promise).ok).toBe(false);
    options = { maxBytes: 1000, minBytes: 0 };
    const allowed = await post(form(['file', new Blob([]), 'empty.txt']));
    expect(allowed.status).toBe(200);
    expect(allowed.json.size).toBe(0);
  });

  it('refuses a body that is not multipart with 415', async () => {
    const json = await fetch(app.url, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
    expect(json.status).toBe(415);
    expect(await json.json()).toMatchObject({ code: 'unsupported_media_type' });
    const none = await fetch(app.url, { method: 'POST', body: new Uint8Array([120]) });
    expect(none.status).toBe(415);
  });

  it('refuses a multipart Content-Type without a boundary with 400', async () => {
    const { status, json } = await postRaw(rawBody([filePart('name="file"; filename="a.txt"')]), 'multipart/form-data');
    expect(status).toBe(400);
    expect(json.code).toBe('bad_request');
  });

  it('refuses a request without a file with 400', async () => {
    const { status, json } = await post(form(['owner', 'shop']));
    expect(status).toBe(400);
    expect(json).toMatchObject({ code: 'bad_request', message: expect.stringContaining('no file') });
  });

  it('refuses a second file with 400, failing the first file’s stream rather than ending it', async () => {
    const { status, json } = await post(form(['file', new Blob(['one']), 'one.txt'], ['file', new Blob(['two']), 'two.txt']));
    expect(status).toBe(400);
    expect(json.message).toBe('Send one file per request');
    expect((await outcome.promise).ok).toBe(false);
  });

  it('refuses a field sent after the file with 400', async () => {
    const { status, json } = await post(form(['file', new Blob(['x']), 'x.txt'], ['owner', 'shop']));
    expect(status).toBe(400);
    expect(json.message).toContain('before the file');
    expect((await outcome.promise).ok).toBe(false);
  });

  it('refuses a file in another field, or without a name, with 400', async () => {
    const other = await post(form(['document', new Blob(['x']), 'x.txt']));
    expect(other.status).toBe(400);
    expect(other.json.message).toContain('"file"');
    // What a browser sends for an empty file input: `filename=""`, application/octet-stream.
    const unnamed = await postRaw(rawBody([filePart('name="file"; filename=""', '', 'application/octet-stream')]));
    expect(unnamed.status).toBe(400);
    expect(unnamed.json.message).toBe('The file has no name');
    const blank = await postRaw(rawBody([filePart('name="file"; filename="   "', 'x', 'application/octet-stream')]));
    expect(blank.json.message).toBe('The file has no name');
    const text = await postRaw(rawBody([filePart('name="file"; filename=""', 'x', 'text/plain')]));
    expect(text.status).toBe(400);
    expect(text.json.message).toBe('The form field "file" must be a file, with a file name');
  });

  it('refuses too many fields, or a field too long, with 400', async () => {
    options = { maxBytes: 1000, maxFields: 2, maxFieldBytes: 10 };
    const many = await post(form(['a', '1'], ['b', '2'], ['c', '3'], ['file', new Blob(['x']), 'x.txt']));
    expect(many.status).toBe(400);
    expect(many.json.message).toBe('Send at most 2 fields with the file');
    const long = await post(form(['a', '12345678901'], ['file', new Blob(['x']), 'x.txt']));
    expect(long.status).toBe(400);
    expect(long.json.message).toContain('longer than 10 bytes');
  });

  it('refuses a field no input may hold (NUL, __proto__) with 422', async () => {
    expect((await post(form(['owner', 'a\0b'], ['file', new Blob(['x']), 'x.txt']))).status).toBe(422);
    expect((await post(form(['__proto__', 'x'], ['file', new Blob(['x']), 'x.txt']))).status).toBe(422);
  });

  it('fails the stream with 400 when the body ends before the closing boundary', async () => {
    const truncated = rawBody([filePart('name="file"; filename="cut.txt"', 'the first half of a fi')], false);
    const { status, json } = await postRaw(truncated);
    expect(status).toBe(400);
    expect(json.message).toBe('The multipart body is truncated or malformed');
    expect((await outcome.promise).ok).toBe(false);
  });

  it('refuses a malformed part header with 400', async () => {
    const body = Buffer.from(`--${boundary}\r\nthis is not a header\r\n\r\nx\r\n--${boundary}--\r\n`);
    const { status, json } = await postRaw(body);
    expect(status).toBe(400);
    expect(json.code).toBe('bad_request');
  });

  it('fails the stream when the client goes away mid-file', async () => {
    const head = rawBody([filePart('name="file"; filename="video.mp4"', Buffer.alloc(1000, 7), 'video/mp4')], false);
    const client = request(app.url, { method: 'POST', headers: { 'content-type': multipartType, 'content-length': String(head.length + 1_000_000) } });
    client.on('error', () => {});
    client.write(head);
    await started.promise;
    client.destroy();
    const seen = await outcome.promise;
    expect(seen.ok).toBe(false);
    expect(!seen.ok && seen.error).toMatchObject({ status: 400, message: 'The upload was interrupted' });
  });
});

describe('safeFileName', () => {
  it.each([
    ['photo.png', 'photo.png'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\me\\report.pdf', 'report.pdf'],
    ['a\u0000b.txt', 'ab.txt'],
    ['line\r\nbreak.txt', 'linebreak.txt'],
    ['tab\there.txt', 'tabhere.txt'],
    ['invoice\u202Etxt.exe', 'invoicetxt.exe'],
    ['\u2066isolated\u2069.pdf', 'isolated.pdf'],
    ['\uFEFFbom.txt', 'bom.txt'],
    ['lone\uD800surrogate.txt', 'lonesurrogate.txt'],
    ['cafe\u0301.txt', 'café.txt'],
    ['  spaced.txt  ', 'spaced.txt'],
    ['', 'file'],
    ['..', 'file'],
    ['../..', 'file'],
    ['dir/', 'file'],
    ['\u0000\u0001', 'file'],
    ['.env', '.env'],
  ])('%j → %j', (raw, safe) => {
    expect(safeFileName(raw)).toBe(safe);
  });

  it('keeps at most 255 UTF-8 bytes, cutting whole characters and keeping the extension', () => {
    const long = `${'日'.repeat(200)}.pdf`;
    const safe = safeFileName(long);
    expect(Buffer.byteLength(safe)).toBeLessThanOrEqual(255);
    expect(safe).toBe(`${'日'.repeat(83)}.pdf`);
    const emoji = safeFileName(`${'👩‍👩‍👧'.repeat(20)}.png`);
    expect(Buffer.byteLength(emoji)).toBeLessThanOrEqual(255);
    expect(emoji.endsWith('.png')).toBe(true);
    expect(emoji.replace('.png', '')).toBe('👩‍👩‍👧'.repeat(13));
    expect(safeFileName('a'.repeat(300))).toBe('a'.repeat(255));
  });
});
