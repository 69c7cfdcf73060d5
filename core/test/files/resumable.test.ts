import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { Upload, type DetailedError, type UploadOptions } from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadSweepJob } from '../../src/files/resumable-jobs.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { signUpMember } from '../isolation/fixtures.js';
import { download, setQuotas, storedState } from './upload-helpers.js';

const MiB = 1024 * 1024;
const limit = 32 * MiB;

let t: TestKernel;
let owner: TestUser;
let tenant: { id: string; slug: string };
let other: TestUser;

beforeAll(async () => {
  t = await createTestKernel({ env: { PLINTH_RESUMABLE_UPLOAD_LIMIT: '32mb' } });
  owner = await signUp(t, { tenant: true });
  tenant = owner.tenant!;
  other = await signUp(t, { tenant: true });
});
afterAll(() => t?.close());

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const endpoint = () => `${t.url}/api/v1/files/uploads`;
const uploadsDir = () => path.join(t.kernel.config.dataDir, 'uploads');
/** The staged uploads of a tenant (data and `.json` records), by name. */
const staged = (tenantId: string) => readdirSync(uploadsDir()).filter((name) => name.startsWith(`${tenantId}_`));

/** A PDF (the bytes say so: `%PDF-`) of `size` bytes, the rest random. */
function pdf(size: number): Buffer {
  const bytes = randomBytes(size);
  bytes.write('%PDF-1.7\n', 0, 'latin1');
  return bytes;
}

interface Sent {
  url: string;
  fileId: string | null;
}

/** Uploads `bytes` with the official tus client; resolves with the upload URL and the stored file's id, rejects with its error. */
function tusUpload(bytes: Buffer, options: UploadOptions & { user?: Pick<TestUser, 'headers'> }): Promise<Sent> {
  const { user = owner, ...rest } = options;
  return new Promise((resolve, reject) => {
    const upload: Upload = new Upload(bytes, {
      endpoint: endpoint(),
      headers: user.headers,
      metadata: { filename: 'lesson.pdf', filetype: 'application/pdf' },
      retryDelays: null,
      storeFingerprintForResuming: false,
      ...rest,
      onSuccess: ({ lastResponse }) => resolve({ url: upload.url!, fileId: lastResponse.getHeader('Plinth-File-Id') ?? null }),
      onError: reject,
    });
    upload.start();
  });
}

/** A raw tus request (the client hides what the tests look at). */
async function tus(method: string, url: string, headers: Record<string, string>, body?: Buffer) {
  const response = await fetch(url, {
    method,
    headers: { 'tus-resumable': '1.0.0', ...headers },
    ...(body ? { body: new Uint8Array(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}

/** Creates an upload of `length` bytes without sending any. */
async function create(length: number, user: Pick<TestUser, 'headers'> = owner, metadata = 'filename bGVzc29uLnBkZg==') {
  const response = await tus('POST', endpoint(), { ...user.headers, 'upload-length': String(length), 'upload-metadata': metadata });
  return { ...response, url: response.headers.get('location') ? new URL(response.headers.get('location')!, t.url).href : undefined };
}

/**
 * A TCP proxy in front of the kernel that counts the bytes clients send, and can cut the connection (both sockets
 * destroyed, as a network drop does) once `cutAfter` bytes have gone through it.
 */
function dropProxy(target: URL): Promise<{ url: string; sent(): number; cutAt(bytes: number): void; cut: Promise<void>; close(): Promise<void> }> {
  let sent = 0;
  let cutAfter = Infinity;
  let cutDone: () => void;
  const cut = new Promise<void>((resolve) => (cutDone = resolve));
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => {
      sent += chunk.length;
      if (sent >= cutAfter) {
        cutAfter = Infinity;
        client.destroy();
        upstream.destroy();
        cutDone();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}`,
        sent: () => sent,
        cutAt: (bytes) => (cutAfter = bytes),
        cut,
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    }),
  );
}

describe('resumable uploads (tus)', () => {
  it('stores a 20 MiB file sent in chunks, intact, and the upload then names the file', { timeout: 60_000 }, async () => {
    const bytes = pdf(20 * MiB);
    const before = await storedState(t, tenant.id);
    const sent = await tusUpload(bytes, { chunkSize: 4 * MiB });
    expect(sent.fileId).toMatch(/^[0-9a-f-]{36}$/);

    const file = (await t.request('GET', `/api/v1/files/${sent.fileId}`, { headers: owner.headers })).body.data;
    expect(file).toMatchObject({ name: 'lesson.pdf', content_type: 'application/pdf', size: bytes.length, checksum: sha256(bytes), created_by: owner.id });
    const content = await download(`${t.url}/api/v1/files/${sent.fileId}/content`, owner.headers);
    expect(sha256(content.bytes)).toBe(sha256(bytes));
    const after = await storedState(t, tenant.id);
    expect(after.usage).toEqual({ bytes: before.usage.bytes + bytes.length, files: before.usage.files + 1 });

    // The staged copy is gone (emptied); the upload still answers with the file's id, by HEAD and by GET.
    const id = sent.url.split('/').pop()!;
    expect(readFileSync(path.join(uploadsDir(), `${tenant.id}_${id}`)).length).toBe(0);
    const head = await tus('HEAD', sent.url, owner.headers);
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-offset')).toBe(String(bytes.length));
    expect(head.headers.get('plinth-file-id')).toBe(sent.fileId);
    const status = await t.request('GET', `/api/v1/files/uploads/${id}`, { headers: owner.headers });
    expect(status.status).toBe(200);
    expect(status.body.data).toEqual({ id, name: 'lesson.pdf', length: bytes.length, offset: bytes.length, file_id: sent.fileId, expires_at: null });
    const audit = await t.sql<{ action: string; target_id: string }>(
      "select action, target_id from audit_log where tenant_id = $1 and action = 'file.uploaded'",
      [tenant.id],
    );
    expect(audit.map((entry) => entry.target_id)).toContain(sent.fileId);
  });

  it('resumes after a dropped connection from the offset the server kept, and the file is intact', { timeout: 60_000 }, async () => {
    const bytes = pdf(16 * MiB);
    const proxy = await dropProxy(new URL(t.url));
    try {
      // One PATCH carrying the whole file, cut after about 6 MiB went through.
      proxy.cutAt(6 * MiB);
      let uploadUrl: string | undefined;
      const first = new Promise<Sent>((resolve, reject) => {
        const upload: Upload = new Upload(bytes, {
          endpoint: `${proxy.url}/api/v1/files/uploads`,
          headers: owner.headers,
          metadata: { filename: 'video.pdf' },
          retryDelays: null,
          storeFingerprintForResuming: false,
          onUploadUrlAvailable: () => void (uploadUrl = upload.url!),
          onSuccess: () => resolve({ url: upload.url!, fileId: null }),
          onError: reject,
        });
        upload.start();
      });
      await expect(first).rejects.toThrow();
      await proxy.cut;
      expect(uploadUrl).toBeDefined();
      const sentBeforeDrop = proxy.sent();

      // HEAD waits for the cut request to let go of the upload: the offset is what the server really kept.
      const head = await tus('HEAD', uploadUrl!, owner.headers);
      expect(head.status).toBe(200);
      const offset = Number(head.headers.get('upload-offset'));
      expect(offset).toBeGreaterThan(0);
      expect(offset).toBeLessThan(bytes.length);

      // A new client, from the stored upload URL only.
      const resumed = await tusUpload(bytes, { endpoint: null, uploadUrl: uploadUrl! });
      const resentBytes = proxy.sent() - sentBeforeDrop;
      expect(resentBytes).toBeLessThan(bytes.length - offset + 64 * 1024);
      expect(proxy.sent()).toBeLessThan(2 * bytes.length);

      const content = await download(`${t.url}/api/v1/files/${resumed.fileId}/content`, owner.headers);
      expect(content.bytes.length).toBe(bytes.length);
      expect(sha256(content.bytes)).toBe(sha256(bytes));
    } finally {
      await proxy.close();
    }
  });

  it('hides an upload from other tenants and other members (404), and from anonymous callers (401)', async () => {
    const created = await create(1024);
    expect(created.status).toBe(201);
    const url = created.url!;
    const id = url.split('/').pop()!;
    const asOther = other.headers;
    expect((await tus('HEAD', url, asOther)).status).toBe(404);
    const patch = await tus('PATCH', url, { ...asOther, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, randomBytes(1024));
    expect(patch.status).toBe(404);
    expect(patch.body).toMatchObject({ success: false, code: 'not_found' });
    expect((await tus('DELETE', url, asOther)).status).toBe(404);
    expect((await t.request('GET', `/api/v1/files/uploads/${id}`, { headers: asOther })).status).toBe(404);
    // Naming tenant A with B's credentials is refused before the upload is even looked at.
    expect((await tus('HEAD', url, { ...asOther, 'x-tenant': tenant.slug })).status).toBe(403);

    const colleague = await signUpMember(t, tenant, ['member']);
    expect((await tus('HEAD', url, colleague.headers)).status).toBe(404);
    expect((await tus('DELETE', url, colleague.headers)).status).toBe(404);

    const anonymous = await tus('HEAD', url, { 'x-tenant': tenant.slug });
    expect(anonymous.status).toBe(401);
    const anonymousCreate = await tus('POST', endpoint(), { 'x-tenant': tenant.slug, 'upload-length': '10' });
    expect(anonymousCreate.status).toBe(401);
    expect(anonymousCreate.body).toMatchObject({ success: false, code: 'unauthenticated' });

    // Still there, untouched, for its owner.
    const head = await tus('HEAD', url, owner.headers);
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-offset')).toBe('0');
    expect((await tus('DELETE', url, owner.headers)).status).toBe(204);
    expect((await tus('HEAD', url, owner.headers)).status).toBe(404);
  });

  it('refuses an Upload-Length over the limit or past the quota with 413, before any byte', async () => {
    const before = staged(tenant.id);
    const tooLarge = await create(limit + 1);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatchObject({ success: false, code: 'file_too_large' });
    expect(tooLarge.url).toBeUndefined();

    const used = (await storedState(t, tenant.id)).usage.bytes;
    await setQuotas(t, tenant, { storage_bytes: used + MiB });
    try {
      const pastQuota = await create(MiB + 1);
      expect(pastQuota.status).toBe(413);
      expect(pastQuota.body).toMatchObject({ success: false, code: 'storage_quota_exceeded' });
      expect(pastQuota.body.errors.storage).toEqual([`${used} of ${used + MiB} bytes used`]);
      expect((await create(MiB)).status).toBe(201);
    } finally {
      await setQuotas(t, tenant, {});
    }
    expect(staged(tenant.id).length).toBe(before.length + 2);
  });

  /** Sends `bytes` in `chunkSize` chunks, expecting a refusal: the error, the upload URL and how many bytes were accepted before it. */
  function refusedUpload(bytes: Buffer, filename: string, chunkSize: number) {
    return new Promise<{ error: DetailedError; url: string; accepted: number }>((resolve, reject) => {
      let accepted = 0;
      const upload: Upload = new Upload(bytes, {
        endpoint: endpoint(),
        headers: owner.headers,
        metadata: { filename, filetype: 'application/pdf' },
        chunkSize,
        retryDelays: null,
        storeFingerprintForResuming: false,
        onChunkComplete: (_size, total) => void (accepted = total),
        onSuccess: () => reject(new Error('the upload was accepted')),
        onError: (failure) => resolve({ error: failure as DetailedError, url: upload.url!, accepted }),
      });
      upload.start();
    });
  }

  it('refuses a type not allowed with 415 once its first bytes are in, not after the whole file, leaving nothing', { timeout: 30_000 }, async () => {
    const before = await storedState(t, tenant.id);
    const stagedBefore = staged(tenant.id);
    // Random bytes are no type the route accepts, whatever the name and the declared type say.
    const { error, url, accepted } = await refusedUpload(randomBytes(8 * MiB), 'notes.pdf', MiB);
    expect(error.originalResponse?.getStatus()).toBe(415);
    expect(JSON.parse(error.originalResponse!.getBody())).toMatchObject({ success: false, code: 'file_type_not_allowed' });
    // Refused on the first chunk: nothing after it was sent.
    expect(accepted).toBe(0);
    expect(await storedState(t, tenant.id)).toEqual(before);
    expect(staged(tenant.id)).toEqual(stagedBefore);
    expect((await tus('HEAD', url, owner.headers)).status).toBe(404);
  });

  it('refuses a small file of a type not allowed with 415 when its last byte arrives, leaving nothing', async () => {
    const before = await storedState(t, tenant.id);
    const stagedBefore = staged(tenant.id);
    const html = Buffer.from(`<!doctype html><html><body><script>alert(1)</script>${'x'.repeat(20_000)}</body></html>`);
    const { error, url } = await refusedUpload(html, 'page.pdf', 8 * 1024);
    expect(error.originalResponse?.getStatus()).toBe(415);
    expect(JSON.parse(error.originalResponse!.getBody())).toMatchObject({ code: 'file_type_not_allowed', message: expect.stringContaining('text/html') });
    expect(await storedState(t, tenant.id)).toEqual(before);
    expect(staged(tenant.id)).toEqual(stagedBefore);
    expect((await tus('HEAD', url, owner.headers)).status).toBe(404);
  });

  it('takes the file name from Upload-Metadata made safe, and the visibility asked for (bytes sent with the creation)', async () => {
    // creation-with-upload: the POST carries the whole file, and its answer names the stored file.
    const sent = await tusUpload(pdf(100 * 1024), {
      metadata: { filename: '../../etc/passwd\u202e.pdf', visibility: 'public' },
      uploadDataDuringCreation: true,
    });
    expect(sent.fileId).toMatch(/^[0-9a-f-]{36}$/);
    const file = (await t.request('GET', `/api/v1/files/${sent.fileId}`, { headers: owner.headers })).body.data;
    expect(file).toMatchObject({ name: 'passwd.pdf', visibility: 'public', content_type: 'application/pdf' });
    const refused = await create(10, owner, `filename ${Buffer.from('a.pdf').toString('base64')},visibility ${Buffer.from('everyone').toString('base64')}`);
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual({ 'metadata.visibility': ['must be "public" or "private"'] });
  });

  it('answers protocol mistakes in the error envelope', async () => {
    const noVersion = await fetch(endpoint(), { method: 'POST', headers: { ...owner.headers, 'upload-length': '10' } });
    expect(noVersion.status).toBe(412);
    expect(await noVersion.json()).toMatchObject({ success: false, code: 'tus_resumable_required' });

    const deferred = await tus('POST', endpoint(), { ...owner.headers, 'upload-defer-length': '1' });
    expect(deferred.status).toBe(400);
    expect(deferred.body).toMatchObject({ code: 'upload_length_required' });

    const empty = await create(0);
    expect(empty.status).toBe(400);
    expect(empty.body).toMatchObject({ code: 'file_empty' });

    const created = await create(100);
    const wrongOffset = await tus(
      'PATCH',
      created.url!,
      { ...owner.headers, 'upload-offset': '50', 'content-type': 'application/offset+octet-stream' },
      randomBytes(10),
    );
    expect(wrongOffset.status).toBe(409);
    expect(wrongOffset.body).toMatchObject({ success: false, code: 'upload_offset_mismatch' });
    expect(wrongOffset.headers.get('tus-resumable')).toBe('1.0.0');
    const tooMany = await tus(
      'PATCH',
      created.url!,
      { ...owner.headers, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
      randomBytes(101),
    );
    expect(tooMany.status).toBe(413);
    expect((await tus('HEAD', created.url!, owner.headers)).headers.get('upload-offset')).toBe('0');
  });

  it('removes uploads a day old, unfinished ones with their bytes, in the sweep job', async () => {
    const created = await create(MiB);
    const id = created.url!.split('/').pop()!;
    const record = path.join(uploadsDir(), `${tenant.id}_${id}.json`);
    const kept = await create(MiB);
    const aged = JSON.parse(readFileSync(record, 'utf8')) as { creation_date: string };
    aged.creation_date = new Date(Date.now() - 25 * 60 * 60 * 1000).toISOString();
    writeFileSync(record, JSON.stringify(aged));

    await t.kernel.services.jobs.enqueue(uploadSweepJob, {});
    await t.drainJobs(30_000);
    expect(staged(tenant.id).filter((name) => name.includes(id))).toEqual([]);
    expect((await tus('HEAD', created.url!, owner.headers)).status).toBe(404);
    expect((await tus('HEAD', kept.url!, owner.headers)).status).toBe(200);
  });
});
