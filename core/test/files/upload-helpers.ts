import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import sharp from 'sharp';
import { expect } from 'vitest';
import { runInTenant } from '../../src/db/scoped-db.js';
import type { TestKernel, TestResponse, TestUser } from '../../src/testing/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary envelopes
type Json = any;

/** One part of a multipart body: a text field, or a file. */
export type Part = { name: string; value: string } | { name: string; filename: string; type?: string; data: Buffer };

/** A `multipart/form-data` body and its Content-Type, built by hand so that tests control every byte. */
export function multipart(parts: readonly Part[], options: { truncate?: boolean } = {}): { body: Buffer; contentType: string } {
  const boundary = `----plinth-test-${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    if ('filename' in part) {
      chunks.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: ${part.type ?? 'application/octet-stream'}\r\n\r\n`,
        ),
        part.data,
        Buffer.from('\r\n'),
      );
    } else {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`));
    }
  }
  let body = Buffer.concat([...chunks, Buffer.from(`--${boundary}--\r\n`)]);
  // Cut inside the file, with no closing boundary: what a client that stopped half-way sends.
  if (options.truncate) body = body.subarray(0, body.length - 40);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Uploads through `POST /api/v1/files` as `user`. */
export async function upload(
  t: TestKernel,
  user: Pick<TestUser, 'headers'>,
  file: { filename: string; type?: string; data: Buffer },
  fields: Record<string, string> = {},
  options: { truncate?: boolean } = {},
): Promise<TestResponse> {
  const { body, contentType } = multipart([...Object.entries(fields).map(([name, value]) => ({ name, value })), { name: 'file', ...file }], options);
  const response = await fetch(`${t.url}/api/v1/files`, {
    method: 'POST',
    headers: { ...user.headers, 'content-type': contentType },
    body: new Uint8Array(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}

/** GET returning the raw bytes. */
export async function download(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; bytes: Buffer; json: Json }> {
  const response = await fetch(url, { headers });
  const bytes = Buffer.from(await response.arrayBuffer());
  const json = response.headers.get('content-type')?.includes('application/json') ? JSON.parse(bytes.toString('utf8')) : undefined;
  return { status: response.status, headers: response.headers, bytes, json };
}

/** Sends a request whose announced Content-Length is `declared`, with only `sent` bytes, and reads the answer (the server answers before the rest). */
export function announceLarge(t: TestKernel, headers: Record<string, string>, declared: number, sent: Buffer): Promise<{ status: number; body: Json }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(`${t.url}/api/v1/files`, { method: 'POST', headers: { ...headers, 'content-length': String(declared) } }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        resolve({ status: incoming.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        outgoing.destroy();
      });
    });
    outgoing.on('error', (error) => ((error as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(error)));
    outgoing.write(sent);
  });
}

/** A real PNG of the given size. */
export function png(width = 32, height = 24): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 40, b: 90 } } })
    .png()
    .toBuffer();
}

/**
 * The tenant's rows in `files` and its storage use, read as the tenant (RLS), and its objects in the store, once
 * the jobs queued so far (image variants) have run, so that two snapshots differ only by what the test did.
 */
export async function storedState(t: TestKernel, tenantId: string) {
  await t.drainJobs(30_000);
  const { database, storage } = t.kernel.services;
  const { rows, usage } = await runInTenant(database, tenantId, async (db) => ({
    rows: await db.query<{ id: string; storage_key: string }>('select id, storage_key from files order by created_at'),
    usage: (await db.one<{ bytes: number; files: number }>('select bytes::float8 as bytes, files from storage_usage')) ?? { bytes: 0, files: 0 },
  }));
  const objects: string[] = [];
  for await (const object of storage.list(`t/${tenantId}/`)) objects.push(object.key);
  return { rows, usage, objects: objects.sort() };
}

/** Asserts that a refused upload left nothing: the same rows, objects and usage as before. */
export async function expectNothingLeft(t: TestKernel, tenantId: string, before: Awaited<ReturnType<typeof storedState>>): Promise<void> {
  expect(await storedState(t, tenantId)).toEqual(before);
}

/** Sets a tenant's quota overrides directly (the admin route is tested in core/test/admin). */
export async function setQuotas(t: TestKernel, tenant: { id: string; slug: string }, quotas: Record<string, number>): Promise<void> {
  const client = await t.kernel.services.database.acquire();
  try {
    await client.query('update tenants set quotas = $2 where id = $1', [tenant.id, quotas]);
  } finally {
    await t.kernel.services.database.release(client);
  }
  await t.kernel.services.tenants.forget(tenant);
}
