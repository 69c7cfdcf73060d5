import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { contentDisposition, parseRange, sendObject, type ServedObject } from '../../src/files/serve.js';
import type { ByteRange } from '../../src/files/storage.js';
import { startTinyApp, type TinyApp } from './koa-harness.js';

describe('parseRange', () => {
  const size = 1000;
  it.each([
    ['bytes=0-99', { start: 0, end: 99 }],
    ['bytes=100-', { start: 100, end: 999 }],
    ['bytes=-100', { start: 900, end: 999 }],
    ['bytes=-5000', { start: 0, end: 999 }],
    ['bytes=990-5000', { start: 990, end: 999 }],
    ['bytes=999-999', { start: 999, end: 999 }],
    ['BYTES=0-1', { start: 0, end: 1 }],
    ['bytes=0-99999999999999999999999', { start: 0, end: 999 }],
  ])('%s is a range', (header, range) => {
    expect(parseRange(header, size)).toEqual(range);
  });

  it.each(['bytes=1000-', 'bytes=1000-2000', 'bytes=-0', 'bytes=99999999999999999999999-'])('%s is unsatisfiable', (header) => {
    expect(parseRange(header, size)).toBe('unsatisfiable');
  });

  it('finds any range of an empty file unsatisfiable', () => {
    expect(parseRange('bytes=0-0', 0)).toBe('unsatisfiable');
    expect(parseRange('bytes=-1', 0)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-', 0)).toBe('unsatisfiable');
  });

  it.each([
    undefined,
    '',
    'bytes=5-2',
    'bytes=0-1,5-6',
    'bytes=0-1, 5-6',
    'items=0-1',
    'bytes=a-b',
    'bytes=-',
    'bytes=1.5-2',
    'bytes=0x10-',
    '0-1',
    'bytes=-1-2',
  ])('%s means the whole file', (header) => {
    expect(parseRange(header, size)).toBeUndefined();
  });
});

describe('contentDisposition', () => {
  it.each([
    ['image/png', 'inline'],
    ['IMAGE/JPEG', 'inline'],
    ['image/webp', 'inline'],
    ['video/mp4', 'inline'],
    ['audio/mpeg', 'inline'],
    ['application/pdf', 'inline'],
    ['text/plain; charset=utf-8', 'inline'],
    ['image/svg+xml', 'attachment'],
    ['text/html', 'attachment'],
    ['text/html; charset=utf-8', 'attachment'],
    ['application/xhtml+xml', 'attachment'],
    ['application/xml', 'attachment'],
    ['text/xml', 'attachment'],
    ['text/javascript', 'attachment'],
    ['application/javascript', 'attachment'],
    ['application/octet-stream', 'attachment'],
    ['application/x-unknown', 'attachment'],
    ['', 'attachment'],
  ])('%s is %s', (type, kind) => {
    expect(contentDisposition('a.bin', type)).toBe(`${kind}; filename="a.bin"`);
  });

  it('gives a non-ASCII name as an ASCII fallback and an RFC 5987 filename*', () => {
    const name = 'résumé "final" (2)*.pdf';
    const header = contentDisposition(name, 'application/pdf');
    expect(header).toBe(`inline; filename="r_sum_ _final_ (2)*.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22%20%282%29%2A.pdf`);
    const extended = /filename\*=UTF-8''(.+)$/.exec(header)![1]!;
    expect(extended).toMatch(/^[A-Za-z0-9!#$&+.^_`|~%-]+$/);
    expect(decodeURIComponent(extended)).toBe(name);
  });

  it('names a nameless file `file`', () => {
    expect(contentDisposition('', 'image/png')).toBe('inline; filename="file"');
  });

  it('never lets a name break out of the header', () => {
    const header = contentDisposition('a"\r\nSet-Cookie: x=1\\%41.txt', 'text/plain');
    expect(header).not.toMatch(/[\r\n]/);
    expect(header.startsWith('inline; filename="a___Set-Cookie: x=1__41.txt"; filename*=UTF-8\'\'')).toBe(true);
  });
});

describe('sendObject', () => {
  const data = Buffer.from(Array.from({ length: 1000 }, (_, index) => (index * 7) % 256));
  const lastModified = new Date('2026-11-30T10:00:00Z');
  let opened: (ByteRange | undefined)[];
  let object: ServedObject;
  let app: TinyApp;

  beforeAll(async () => {
    app = await startTinyApp((ctx) => sendObject(ctx, object));
  });
  afterAll(() => app.close());
  beforeEach(() => {
    opened = [];
    object = {
      size: data.length,
      contentType: 'image/png',
      name: 'chart.png',
      etag: 'c0ffee42',
      cacheControl: 'private, max-age=300',
      lastModified,
      open: (range) => {
        opened.push(range);
        return Promise.resolve(Readable.from([range ? data.subarray(range.start, range.end + 1) : data]));
      },
    };
  });

  const get = (headers: Record<string, string> = {}, method = 'GET') => fetch(app.url, { method, headers });

  it('answers 200 with the bytes and every header a file response needs', async () => {
    const response = await get();
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(data);
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => (headers[name] = value));
    expect(headers).toMatchObject({
      'content-type': 'image/png',
      'content-length': '1000',
      'content-disposition': 'inline; filename="chart.png"',
      etag: '"c0ffee42"',
      'cache-control': 'private, max-age=300',
      'last-modified': lastModified.toUTCString(),
      'accept-ranges': 'bytes',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
    });
    expect(opened).toEqual([undefined]);
  });

  it('sends a file that could run script as an attachment, and a content type it cannot send as octet-stream', async () => {
    object = { ...object, contentType: 'image/svg+xml', name: 'logo.svg' };
    expect((await get()).headers.get('content-disposition')).toBe('attachment; filename="logo.svg"');
    object = { ...object, contentType: 'text/html\r\nX-Injected: 1', name: 'page.html' };
    const response = await get();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(response.headers.get('x-injected')).toBeNull();
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="page.html"');
  });

  it('answers HEAD with the headers and no body, without opening the object', async () => {
    const response = await get({}, 'HEAD');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe('1000');
    expect(response.headers.get('etag')).toBe('"c0ffee42"');
    expect((await response.arrayBuffer()).byteLength).toBe(0);
    expect(opened).toEqual([]);
  });

  it('answers a Range with 206 and only those bytes', async () => {
    const response = await get({ range: 'bytes=10-19' });
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe('bytes 10-19/1000');
    expect(response.headers.get('content-length')).toBe('10');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(data.subarray(10, 20));
    expect(opened).toEqual([{ start: 10, end: 19 }]);

    const tail = await get({ range: 'bytes=-10' });
    expect(tail.status).toBe(206);
    expect(tail.headers.get('content-range')).toBe('bytes 990-999/1000');
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(data.subarray(990));
  });

  it('sends the whole file for several ranges, and for a Range on HEAD', async () => {
    const several = await get({ range: 'bytes=0-1,5-6' });
    expect(several.status).toBe(200);
    expect(Buffer.from(await several.arrayBuffer())).toEqual(data);
    const head = await get({ range: 'bytes=0-9' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('1000');
    expect(head.headers.get('content-range')).toBeNull();
  });

  it('honours If-Range: our ETag resumes the range, another validator gets the whole file', async () => {
    const same = await get({ range: 'bytes=500-', 'if-range': '"c0ffee42"' });
    expect(same.status).toBe(206);
    expect(Buffer.from(await same.arrayBuffer())).toEqual(data.subarray(500));
    for (const ifRange of ['"0ld"', 'W/"c0ffee42"', lastModified.toUTCString()]) {
      const changed = await get({ range: 'bytes=500-', 'if-range': ifRange });
      expect(changed.status, ifRange).toBe(206 - 6);
      expect(Buffer.from(await changed.arrayBuffer())).toEqual(data);
    }
  });

  it('answers an unsatisfiable Range with 416 in the envelope and Content-Range: bytes */size', async () => {
    const response = await get({ range: 'bytes=1000-' });
    expect(response.status).toBe(416);
    expect(response.headers.get('content-range')).toBe('bytes */1000');
    expect(response.headers.get('content-disposition')).toBeNull();
    expect(await response.json()).toMatchObject({ success: false, code: 'range_not_satisfiable', meta: { request_id: expect.any(String) } });
    expect(opened).toEqual([]);
  });

  it.each(['"c0ffee42"', 'W/"c0ffee42"', '"other", "c0ffee42"', '*'])('answers 304 to If-None-Match %s', async (ifNoneMatch) => {
    const response = await get({ 'if-none-match': ifNoneMatch, range: 'bytes=5000-' });
    expect(response.status).toBe(304);
    expect(response.headers.get('etag')).toBe('"c0ffee42"');
    expect(response.headers.get('cache-control')).toBe('private, max-age=300');
    expect((await response.arrayBuffer()).byteLength).toBe(0);
    expect(opened).toEqual([]);
  });

  it('sends the file when If-None-Match names another version, even if If-Modified-Since would match', async () => {
    const response = await get({ 'if-none-match': '"old"', 'if-modified-since': new Date(lastModified.getTime() + 60_000).toUTCString() });
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(data);
  });

  it('answers If-Modified-Since with 304 when unchanged since, 200 when changed', async () => {
    expect((await get({ 'if-modified-since': lastModified.toUTCString() })).status).toBe(304);
    const older = await get({ 'if-modified-since': new Date(lastModified.getTime() - 1000).toUTCString() });
    expect(older.status).toBe(200);
    expect(Buffer.from(await older.arrayBuffer())).toEqual(data);
  });

  it('answers 404 in the envelope when the store has lost the object', async () => {
    object = { ...object, open: () => Promise.resolve(undefined) };
    const response = await get();
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ success: false, code: 'not_found' });
  });

  it('streams: the client has the first bytes before the source has produced the rest', async () => {
    const source = new PassThrough();
    object = { ...object, size: 8, open: () => Promise.resolve(source) };
    source.write(Buffer.from('abcd'));
    const response = await get();
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(Buffer.from(first.value!).toString()).toBe('abcd');
    source.end(Buffer.from('efgh'));
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += Buffer.from(chunk.value).toString();
    expect(rest).toBe('efgh');
  });

  it('destroys the source when the client goes away mid-download', async () => {
    const source = new PassThrough();
    object = { ...object, size: 1_000_000, open: () => Promise.resolve(source) };
    source.write(Buffer.alloc(1024, 1));
    const controller = new AbortController();
    const response = await fetch(app.url, { signal: controller.signal });
    await response.body!.getReader().read();
    // Koa pipes with `pipeline`, which destroys the source with a premature-close error.
    const failure = new Promise<unknown>((resolve) => source.once('error', resolve));
    const closed = new Promise((resolve) => source.once('close', resolve));
    controller.abort();
    await closed;
    expect(source.destroyed).toBe(true);
    expect(await failure).toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
  });
});
