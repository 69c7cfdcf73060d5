import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { signUpMember, signUpSuperAdmin } from '../isolation/fixtures.js';
import { announceLarge, download, expectNothingLeft, png, setQuotas, storedState, upload } from './upload-helpers.js';

let t: TestKernel;
let owner: TestUser;
let tenant: { id: string; slug: string };
/** Moved forward by tests that need time to pass (signed URLs expiring). */
let clockOffsetMs = 0;

beforeAll(async () => {
  t = await createTestKernel({
    env: { PLINTH_UPLOAD_LIMIT: '1mb' },
    services: { clock: () => ({ now: () => new Date(Date.now() + clockOffsetMs) }) },
  });
  owner = await signUp(t, { tenant: true });
  tenant = owner.tenant!;
});
afterAll(() => t?.close());

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('POST /files and GET /files/:id/content', () => {
  it('stores an upload streamed as multipart and gives back the same bytes, with its sniffed type, checksum and usage', async () => {
    const before = await storedState(t, tenant.id);
    const bytes = await png();
    const response = await upload(t, owner, { filename: 'cover.png', type: 'image/png', data: bytes });
    expect(response.status).toBe(201);
    const file = response.body.data;
    expect(file).toMatchObject({
      name: 'cover.png',
      content_type: 'image/png',
      size: bytes.length,
      checksum: sha256(bytes),
      visibility: 'private',
      owner_plugin: 'core',
      owner_id: null,
      created_by: owner.id,
      attached_at: null,
    });
    expect(response.headers.get('location')).toBe(`/api/v1/files/${file.id}`);

    const content = await download(`${t.url}/api/v1/files/${file.id}/content`, owner.headers);
    expect(content.status).toBe(200);
    expect(content.bytes.equals(bytes)).toBe(true);
    expect(content.headers.get('content-type')).toBe('image/png');
    expect(content.headers.get('etag')).toBe(`"${sha256(bytes)}"`);
    expect(content.headers.get('content-disposition')).toBe('inline; filename="cover.png"');
    expect(content.headers.get('accept-ranges')).toBe('bytes');

    const after = await storedState(t, tenant.id);
    const metadata = (await t.request('GET', `/api/v1/files/${file.id}`, { headers: owner.headers })).body.data;
    // By now the variants job has run: the image's dimensions are recorded and its variants count too.
    expect(metadata).toEqual({ ...file, width: 32, height: 24, variants: metadata.variants, updated_at: metadata.updated_at });
    const variantBytes = Object.values(metadata.variants as Record<string, { size: number }>).reduce((sum, variant) => sum + variant.size, 0);
    expect(variantBytes).toBeGreaterThan(0);
    expect(after.usage).toEqual({ bytes: before.usage.bytes + bytes.length + variantBytes, files: before.usage.files + 1 });
    expect(after.objects).toContain(`t/${tenant.id}/core/${file.id}`);
    const list = await t.request('GET', '/api/v1/files', { headers: owner.headers });
    expect(list.body.data.map((item: { id: string }) => item.id)).toContain(file.id);
    expect(list.body.meta.pagination).toMatchObject({ page: 1, per_page: 20, total: after.rows.length });
  });

  it('answers a Range with 206 and those bytes, and a range past the end with 416', async () => {
    const bytes = Buffer.from('0123456789abcdefghij'.repeat(50));
    const { body } = await upload(t, owner, { filename: 'notes.txt', type: 'text/plain', data: bytes });
    const part = await download(`${t.url}/api/v1/files/${body.data.id}/content`, { ...owner.headers, range: 'bytes=10-29' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-29/${bytes.length}`);
    expect(part.bytes.equals(bytes.subarray(10, 30))).toBe(true);
    const tail = await download(`${t.url}/api/v1/files/${body.data.id}/content`, { ...owner.headers, range: 'bytes=-5' });
    expect(tail.bytes.toString()).toBe(bytes.subarray(-5).toString());
    const beyond = await download(`${t.url}/api/v1/files/${body.data.id}/content`, { ...owner.headers, range: `bytes=${bytes.length}-` });
    expect(beyond.status).toBe(416);
    expect(beyond.json).toMatchObject({ success: false, code: 'range_not_satisfiable' });
  });

  it('answers HEAD with the length a GET would send and no body, and a matching If-None-Match with 304', async () => {
    const bytes = Buffer.from('head and conditional requests\n'.repeat(40));
    const { body } = await upload(t, owner, { filename: 'head.txt', type: 'text/plain', data: bytes });
    const url = `${t.url}/api/v1/files/${body.data.id}/content`;
    const head = await fetch(url, { method: 'HEAD', headers: owner.headers });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(bytes.length));
    expect(head.headers.get('etag')).toBe(`"${sha256(bytes)}"`);
    expect((await head.arrayBuffer()).byteLength).toBe(0);
    const again = await download(url, { ...owner.headers, 'if-none-match': head.headers.get('etag')! });
    expect(again.status).toBe(304);
    expect(again.bytes.length).toBe(0);
  });

  it('serves markup as an attachment and sniffs text it cannot see by signature', async () => {
    const csv = await upload(t, owner, { filename: 'people.csv', type: 'text/csv', data: Buffer.from('name,email\nAda,ada@example.test\n') });
    expect(csv.body.data.content_type).toBe('text/csv');
    const json = await upload(t, owner, { filename: 'data.json', type: 'application/json', data: Buffer.from('{"a":[1,2,3]}') });
    expect(json.body.data.content_type).toBe('application/json');
  });
});

describe('bad uploads: a clear 4xx and nothing left behind', () => {
  it('a lying extension: the bytes win (a PNG named .pdf is a PNG; HTML named .png is refused as HTML)', async () => {
    const bytes = await png();
    const renamed = await upload(t, owner, { filename: 'report.pdf', type: 'application/pdf', data: bytes });
    expect(renamed.status).toBe(201);
    expect(renamed.body.data.content_type).toBe('image/png');

    const before = await storedState(t, tenant.id);
    const html = await upload(t, owner, { filename: 'photo.png', type: 'image/png', data: Buffer.from('<!DOCTYPE html><script>alert(1)</script>') });
    expect(html.status).toBe(415);
    expect(html.body).toMatchObject({ success: false, code: 'file_type_not_allowed' });
    expect(html.body.message).toContain('text/html');
    await expectNothingLeft(t, tenant.id, before);
  });

  it('a type not allowed (SVG, which can run script; an unknown binary) is 415', async () => {
    const before = await storedState(t, tenant.id);
    const svg = await upload(t, owner, {
      filename: 'logo.svg',
      type: 'image/svg+xml',
      data: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    });
    expect(svg.status).toBe(415);
    expect(svg.body.code).toBe('file_type_not_allowed');
    const binary = await upload(t, owner, { filename: 'a.bin', data: Buffer.from([0, 1, 2, 3, 0, 255, 254, 0]) });
    expect(binary.status).toBe(415);
    await expectNothingLeft(t, tenant.id, before);
  });

  it('a zero-byte file is 400 file_empty', async () => {
    const before = await storedState(t, tenant.id);
    const response = await upload(t, owner, { filename: 'empty.txt', type: 'text/plain', data: Buffer.alloc(0) });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ success: false, code: 'file_empty' });
    await expectNothingLeft(t, tenant.id, before);
  });

  it('a truncated multipart body is 400', async () => {
    const before = await storedState(t, tenant.id);
    const response = await upload(t, owner, { filename: 'cut.txt', type: 'text/plain', data: Buffer.alloc(200_000, 'a') }, {}, { truncate: true });
    expect(response.status).toBe(400);
    expect(response.body.success).toBe(false);
    await expectNothingLeft(t, tenant.id, before);
  });

  it('a body announced over the route limit is 413 before it is read', async () => {
    const before = await storedState(t, tenant.id);
    const response = await announceLarge(t, { ...owner.headers, 'content-type': 'multipart/form-data; boundary=x' }, 60 * 1024 * 1024, Buffer.from('--x\r\n'));
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ success: false, code: 'payload_too_large' });
    await expectNothingLeft(t, tenant.id, before);
  });

  it('a file over the host’s upload limit (PLINTH_UPLOAD_LIMIT) is 413 while it streams', async () => {
    const before = await storedState(t, tenant.id);
    // Announced within the limit plus multipart framing, so only counting the bytes finds it too large.
    const response = await upload(t, owner, { filename: 'big.txt', type: 'text/plain', data: Buffer.alloc(1024 * 1024 + 10_000, 'b') });
    expect(response.status).toBe(413);
    expect(response.body.success).toBe(false);
    await expectNothingLeft(t, tenant.id, before);
    // Exactly at the limit is fine.
    expect((await upload(t, owner, { filename: 'edge.txt', type: 'text/plain', data: Buffer.alloc(1024 * 1024, 'e') })).status).toBe(201);
  });

  it('a file over the limit while streaming is 413 file_too_large (service limit)', async () => {
    const before = await storedState(t, tenant.id);
    const { Readable } = await import('node:stream');
    const chunks = (function* () {
      for (let index = 0; index < 40; index++) yield Buffer.alloc(64 * 1024, 'x');
    })();
    await expect(
      t.kernel.services.files.store({ tenantId: tenant.id, ownerPlugin: 'core' }, { body: Readable.from(chunks), name: 'big.txt', maxBytes: 1024 * 1024 }),
    ).rejects.toMatchObject({ status: 413, code: 'file_too_large' });
    await expectNothingLeft(t, tenant.id, before);
  });

  it('a path-traversal name is 400 and leaves nothing behind', async () => {
    const before = await storedState(t, tenant.id);
    const response = await upload(t, owner, { filename: '../../etc/passwd', type: 'text/plain', data: Buffer.from('root:x:0:0\n') });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/must be a name, not a path/) });
    await expectNothingLeft(t, tenant.id, before);
  });

  it('an upload past the tenant quota is 413 storage_quota_exceeded and leaves the quota as it was', async () => {
    const quotaOwner = await signUp(t, { tenant: true });
    const quotaTenant = quotaOwner.tenant!;
    // The host administrator sets it beside the other quotas, and sees the usage in the tenant view.
    const admin = await signUpSuperAdmin(t);
    const set = await t.request('PUT', `/api/v1/admin/tenants/${quotaTenant.id}/quotas`, { headers: admin.headers, body: { storage_bytes: 1000 } });
    expect(set.status).toBe(200);
    expect(set.body.data.quotas.storage_bytes).toBe(1000);
    const first = await upload(t, quotaOwner, { filename: 'a.txt', type: 'text/plain', data: Buffer.alloc(600, 'a') });
    expect(first.status).toBe(201);
    const before = await storedState(t, quotaTenant.id);
    expect(before.usage).toEqual({ bytes: 600, files: 1 });
    const view = await t.request('GET', `/api/v1/admin/tenants/${quotaTenant.id}`, { headers: admin.headers });
    expect(view.body.data.usage).toMatchObject({ storage_bytes: 600, files: 1 });
    const second = await upload(t, quotaOwner, { filename: 'b.txt', type: 'text/plain', data: Buffer.alloc(600, 'b') });
    expect(second.status).toBe(413);
    expect(second.body).toMatchObject({ success: false, code: 'storage_quota_exceeded' });
    expect(second.body.message).toContain('600 of 1000 bytes');
    await expectNothingLeft(t, quotaTenant.id, before);
    // What still fits is accepted.
    expect((await upload(t, quotaOwner, { filename: 'c.txt', type: 'text/plain', data: Buffer.alloc(400, 'c') })).status).toBe(201);
  });

  it('an upload whose announced length cannot fit the quota is refused before its bytes are sent', async () => {
    const small = await signUp(t, { tenant: true });
    await setQuotas(t, small.tenant!, { storage_bytes: 100_000 });
    const before = await storedState(t, small.tenant!.id);
    const boundary = 'quota-boundary';
    const start = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\nContent-Type: text/plain\r\n\r\nabc`);
    // 900 kB announced, a few bytes sent: the answer comes without the rest.
    const response = await announceLarge(t, { ...small.headers, 'content-type': `multipart/form-data; boundary=${boundary}` }, 900_000, start);
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ success: false, code: 'storage_quota_exceeded', errors: { storage: ['0 of 100000 bytes used'] } });
    await expectNothingLeft(t, small.tenant!.id, before);
  });

  it('concurrent uploads cannot together pass the quota', async () => {
    const racer = await signUp(t, { tenant: true });
    await setQuotas(t, racer.tenant!, { storage_bytes: 1000 });
    const answers = await Promise.all(
      Array.from({ length: 5 }, (_, index) => upload(t, racer, { filename: `r${index}.txt`, type: 'text/plain', data: Buffer.alloc(300, 'r') })),
    );
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(3);
    expect(answers.filter((answer) => answer.status === 413)).toHaveLength(2);
    const state = await storedState(t, racer.tenant!.id);
    expect(state.usage).toEqual({ bytes: 900, files: 3 });
    expect(state.rows).toHaveLength(3);
    expect(state.objects).toHaveLength(3);
  });
});

describe('signed URLs', () => {
  it('download without credentials until they expire; altered ones are 403, expired ones 410', async () => {
    const bytes = Buffer.from('signed content\n');
    const { body } = await upload(t, owner, { filename: 'signed.txt', type: 'text/plain', data: bytes });
    const signed = await t.request('POST', `/api/v1/files/${body.data.id}/url`, { headers: owner.headers, body: { expires_in: 60 } });
    expect(signed.status).toBe(200);
    const { url, expires_at } = signed.body.data;
    expect(url).toMatch(new RegExp(`^${t.url}/api/v1/files/signed/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$`));
    expect(Date.parse(expires_at) - Date.now()).toBeGreaterThan(50_000);

    const fetched = await download(url);
    expect(fetched.status).toBe(200);
    expect(fetched.bytes.equals(bytes)).toBe(true);

    const token = url.slice(url.lastIndexOf('/') + 1);
    const [payload, mac] = token.split('.');
    const flipped = `${payload}.${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BB' : 'AA'}`;
    const altered = await download(`${t.url}/api/v1/files/signed/${flipped}`);
    expect(altered.status).toBe(403);
    expect(altered.json).toMatchObject({ success: false, code: 'signed_url_invalid' });
    expect((await download(`${t.url}/api/v1/files/signed/garbage`)).status).toBe(403);

    clockOffsetMs = 61_000;
    try {
      const expired = await download(url);
      expect(expired.status).toBe(410);
      expect(expired.json).toMatchObject({ success: false, code: 'signed_url_expired' });
    } finally {
      clockOffsetMs = 0;
    }
  });

  it('refuses a lifetime over 7 days', async () => {
    const { body } = await upload(t, owner, { filename: 'long.txt', type: 'text/plain', data: Buffer.from('x') });
    const response = await t.request('POST', `/api/v1/files/${body.data.id}/url`, { headers: owner.headers, body: { expires_in: 8 * 24 * 3600 } });
    expect(response.status).toBe(422);
  });
});

describe('public files', () => {
  it('are served to anyone by tenant and id, cacheable; private ones are 404 there', async () => {
    const bytes = await png(8, 8);
    const pub = await upload(t, owner, { filename: 'avatar.png', type: 'image/png', data: bytes }, { visibility: 'public' });
    expect(pub.body.data.visibility).toBe('public');
    const served = await download(`${t.url}/api/v1/files/public/${tenant.slug}/${pub.body.data.id}`);
    expect(served.status).toBe(200);
    expect(served.bytes.equals(bytes)).toBe(true);
    expect(served.headers.get('cache-control')).toMatch(/^public/);
    const priv = await upload(t, owner, { filename: 'private.png', type: 'image/png', data: bytes });
    expect((await download(`${t.url}/api/v1/files/public/${tenant.slug}/${priv.body.data.id}`)).status).toBe(404);
  });

  it('refuses a visibility that is neither public nor private', async () => {
    const before = await storedState(t, tenant.id);
    const response = await upload(t, owner, { filename: 'x.txt', type: 'text/plain', data: Buffer.from('x') }, { visibility: 'everyone' });
    expect(response.status).toBe(422);
    await expectNothingLeft(t, tenant.id, before);
  });
});

describe('DELETE /files/:id', () => {
  it('removes row, object and usage; a member may delete only their own uploads', async () => {
    const member = await signUpMember(t, tenant, ['member']);
    const own = await upload(t, member, { filename: 'mine.txt', type: 'text/plain', data: Buffer.from('mine') });
    const others = await upload(t, owner, { filename: 'owners.txt', type: 'text/plain', data: Buffer.from('owners') });
    const before = await storedState(t, tenant.id);

    const refused = await t.request('DELETE', `/api/v1/files/${others.body.data.id}`, { headers: member.headers });
    expect(refused.status).toBe(403);
    expect(await storedState(t, tenant.id)).toEqual(before);

    expect((await t.request('DELETE', `/api/v1/files/${own.body.data.id}`, { headers: member.headers })).status).toBe(204);
    const after = await storedState(t, tenant.id);
    expect(after.rows.map((row) => row.id)).not.toContain(own.body.data.id);
    expect(after.objects).not.toContain(`t/${tenant.id}/core/${own.body.data.id}`);
    expect(after.usage).toEqual({ bytes: before.usage.bytes - 4, files: before.usage.files - 1 });
    expect((await t.request('GET', `/api/v1/files/${own.body.data.id}`, { headers: owner.headers })).status).toBe(404);
  });

  it('a viewer may read but not upload', async () => {
    const viewer = await signUpMember(t, tenant, ['viewer']);
    expect((await upload(t, viewer, { filename: 'v.txt', type: 'text/plain', data: Buffer.from('v') })).status).toBe(403);
    expect((await t.request('GET', '/api/v1/files', { headers: viewer.headers })).status).toBe(200);
  });
});
