import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { startS3TestServer, type S3TestServer } from './s3-test-server.js';
import { download, expectNothingLeft, png, storedState, upload } from './upload-helpers.js';

// The file routes on a host whose PLINTH_STORAGE_URL is an S3-compatible bucket (s3rver on loopback, not a mock):
// the same round trip, range, refusal and deletion as on the local disk.

let s3: S3TestServer;
let t: TestKernel;
let owner: TestUser;

beforeAll(async () => {
  s3 = await startS3TestServer();
  const url = `s3://${s3.accessKeyId}:${s3.secretAccessKey}@${s3.bucket}/host-a?endpoint=${encodeURIComponent(s3.endpoint)}&region=us-east-1`;
  t = await createTestKernel({ env: { PLINTH_STORAGE_URL: url } });
  owner = await signUp(t, { tenant: true });
}, 60_000);
afterAll(async () => {
  await t?.close();
  await s3?.stop();
});

describe('files on S3', () => {
  it('round-trips an upload, serves a range and variants, refuses bad input leaving nothing, and deletes', async () => {
    expect(t.kernel.services.storage.kind).toBe('s3');
    const tenantId = owner.tenant!.id;
    const bytes = await png(300, 200);
    const created = await upload(t, owner, { filename: 'photo.png', type: 'image/png', data: bytes });
    expect(created.status).toBe(201);
    const id = created.body.data.id as string;
    const whole = await download(`${t.url}/api/v1/files/${id}/content`, owner.headers);
    expect(whole.bytes.equals(bytes)).toBe(true);
    const part = await download(`${t.url}/api/v1/files/${id}/content`, { ...owner.headers, range: 'bytes=0-7' });
    expect(part.status).toBe(206);
    expect(part.bytes.equals(bytes.subarray(0, 8))).toBe(true);

    const before = await storedState(t, tenantId);
    expect(before.objects).toEqual(['', '.medium', '.thumb', '.webp'].map((suffix) => `t/${tenantId}/core/${id}${suffix}`));
    const html = await upload(t, owner, { filename: 'x.png', type: 'image/png', data: Buffer.from('<html><script>1</script></html>') });
    expect(html.status).toBe(415);
    const cut = await upload(t, owner, { filename: 'cut.txt', type: 'text/plain', data: Buffer.alloc(100_000, 'c') }, {}, { truncate: true });
    expect(cut.status).toBe(400);
    await expectNothingLeft(t, tenantId, before);
    expect(await s3.pendingUploads()).toEqual([]);

    expect((await t.request('DELETE', `/api/v1/files/${id}`, { headers: owner.headers })).status).toBe(204);
    expect(await storedState(t, tenantId)).toEqual({ rows: [], usage: { bytes: 0, files: 0 }, objects: [] });
  });
});
