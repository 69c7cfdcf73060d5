import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RefusedDestinationError } from '@plinth/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, pinnedLookup, type Resolve } from '../../src/net/http-client.js';

const received: { method: string; url: string; body: string; host: string }[] = [];
let server: Server;
let port: number;
beforeAll(async () => {
  server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ method: request.method!, url: request.url!, body: Buffer.concat(chunks).toString(), host: request.headers.host ?? '' });
      if (request.url === '/hang') return;
      if (request.url === '/moved') return void response.writeHead(302, { location: 'http://169.254.169.254/' }).end();
      response.writeHead(201, { 'content-type': 'application/json', 'x-answer': 'yes' }).end(JSON.stringify({ ok: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const noDns: Resolve = () => Promise.reject(new Error('ENOTFOUND'));
const loopback = createHttpClient({ allowLoopback: true });
const strict = createHttpClient({ allowLoopback: false });

describe('fetch', () => {
  it('sends the request and answers like fetch: status, headers, body', async () => {
    received.length = 0;
    const response = await loopback.fetch(`http://127.0.0.1:${port}/hook?x=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-answer')).toBe('yes');
    expect(await response.json()).toEqual({ ok: true });
    expect(received).toEqual([{ method: 'POST', url: '/hook?x=1', body: '{"a":1}', host: `127.0.0.1:${port}` }]);
  });

  it('refuses loopback unless the host allows it, without sending anything', async () => {
    received.length = 0;
    await expect(strict.fetch(`http://127.0.0.1:${port}/direct`)).rejects.toThrow(RefusedDestinationError);
    await expect(strict.fetch(`http://[::ffff:127.0.0.1]:${port}/mapped`)).rejects.toThrow(/a loopback address/);
    await expect(strict.fetch(`http://0x7f000001:${port}/hex`)).rejects.toThrow(/a loopback address/);
    await expect(loopback.fetch('http://169.254.169.254/latest/meta-data/')).rejects.toThrow(/link-local \(cloud metadata\)/);
    expect(received).toEqual([]);
  });

  it('vets every address a name resolves to, and connects to the vetted one whatever DNS says next', async () => {
    received.length = 0;
    const roundRobin = createHttpClient({ allowLoopback: false, resolve: async () => ['93.184.215.14', '10.1.2.3'] });
    await expect(roundRobin.fetch('http://hooks.example.com/x')).rejects.toThrow('hooks.example.com resolves to 10.1.2.3, a private address');
    await expect(createHttpClient({ allowLoopback: false, resolve: noDns }).fetch('http://nowhere.example.com/')).rejects.toThrow(/does not resolve/);
    // A name that resolves to the test server, allowed: the connection goes to that address (the Host header keeps the name).
    const named = createHttpClient({ allowLoopback: true, resolve: async () => ['127.0.0.1'] });
    expect((await named.fetch(`http://receiver.example.com:${port}/named`)).status).toBe(201);
    expect(received).toMatchObject([{ url: '/named', host: `receiver.example.com:${port}` }]);
  });

  it('pins the lookup to the vetted address (no DNS rebind)', async () => {
    const lookup = pinnedLookup({ address: '203.0.113.7', family: 4 });
    const single = await new Promise<unknown[]>((resolve) => lookup('rebind.example', {}, (...args: unknown[]) => resolve(args)));
    expect(single).toEqual([null, '203.0.113.7', 4]);
    const all = await new Promise<unknown[]>((resolve) => lookup('rebind.example', { all: true }, (...args: unknown[]) => resolve(args)));
    expect(all).toEqual([null, [{ address: '203.0.113.7', family: 4 }]]);
  });

  it('does not follow redirects: a 3xx is the answer', async () => {
    const response = await loopback.fetch(`http://127.0.0.1:${port}/moved`);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('http://169.254.169.254/');
  });

  it('gives up after the timeout, without waiting for a hanging server', async () => {
    const started = Date.now();
    await expect(loopback.fetch(`http://127.0.0.1:${port}/hang`, { timeoutMs: 300 })).rejects.toThrow('timed out after 300 ms');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses other schemes before any lookup', async () => {
    await expect(loopback.fetch('file:///etc/passwd')).rejects.toThrow(RefusedDestinationError);
  });
});

describe('check', () => {
  it.each([
    ['http://127.0.0.1/hook', /loopback address \(127\.0\.0\.1\)/],
    ['http://169.254.169.254/latest/meta-data/', /link-local \(cloud metadata\) address/],
    ['http://10.0.0.1/internal', /private address \(10\.0\.0\.1\)/],
    ['http://[::ffff:127.0.0.1]/mapped', /loopback address \(::ffff:7f00:1\)/],
    ['http://0x7f000001/hex', /loopback address \(127\.0\.0\.1\)/],
    ['http://127.1/short', /loopback address \(127\.0\.0\.1\)/],
    ['http://2130706433/decimal', /loopback address \(127\.0\.0\.1\)/],
    ['http://0177.0.0.1/octal', /loopback address \(127\.0\.0\.1\)/],
    ['http://metadata.google.internal/computeMetadata/v1/', /internal network/],
    ['http://[::1]:8080/v6', /loopback address/],
    ['http://localhost:3000/by-name', /loopback name/],
    ['http://[fd00::1]/ula', /private \(unique local\) address/],
    ['http://[::ffff:a9fe:a9fe]/mapped-metadata', /link-local \(cloud metadata\) address/],
    ['http://192.168.1.1/router', /private address/],
    ['http://100.64.0.1/cgnat', /carrier-grade NAT address/],
    ['http://0.0.0.0/any', /unspecified address/],
    ['http://instance-data/latest/', /has no domain/],
    ['ftp://example.com/', /must use http or https/],
    ['not a url', /must be an absolute http\(s\) URL/],
  ])('refuses %s', async (url, reason) => {
    expect(await createHttpClient({ allowLoopback: false, resolve: noDns }).check(url)).toMatch(reason);
  });

  it('refuses a name that resolves to a private address, and says which', async () => {
    const client = createHttpClient({ allowLoopback: false, resolve: async () => ['93.184.215.14', '10.1.2.3'] });
    expect(await client.check('https://hooks.example.com/x')).toBe('must not point to a private address (hooks.example.com resolves to 10.1.2.3)');
  });

  it('accepts a public name, and one that does not resolve yet (fetch checks it again)', async () => {
    expect(await createHttpClient({ allowLoopback: false, resolve: async () => ['93.184.215.14'] }).check('https://hooks.example.com/x')).toBeUndefined();
    expect(await createHttpClient({ allowLoopback: false, resolve: noDns }).check('https://not-yet.example.com/x')).toBeUndefined();
  });

  it('allows loopback, by address or name, only when the host allows it, and nothing else', async () => {
    const client = createHttpClient({ allowLoopback: true, resolve: noDns });
    expect(await client.check('http://127.0.0.1:4000/hook')).toBeUndefined();
    expect(await client.check('http://localhost:4000/hook')).toBeUndefined();
    expect(await client.check('http://[::ffff:127.0.0.1]/hook')).toBeUndefined();
    expect(await client.check('http://10.0.0.1/hook')).toMatch(/private/);
    expect(await client.check('http://169.254.169.254/')).toMatch(/cloud metadata/);
  });
});
