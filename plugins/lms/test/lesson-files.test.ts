import type { TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLms, buildCourse, otherTenant, type Call, type LmsWorld } from './support.js';

let world: LmsWorld;
let admin: Call;
let learner: TestUser;
let classmate: TestUser;
let outsider: TestUser;
let stranger: TestUser;
let counter = 0;

/** A tiny but real MP4 (an `ftyp` box, then media data): what the sniffer calls video/mp4. */
function mp4(size = 5000): Buffer {
  const box = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(8 + data.length);
    head.write(type, 4, 'ascii');
    return Buffer.concat([head, data]);
  };
  const media = Buffer.alloc(size);
  for (let index = 0; index < size; index++) media[index] = (index * 31) % 251;
  return Buffer.concat([box('ftyp', Buffer.concat([Buffer.from('isom'), Buffer.from([0, 0, 2, 0]), Buffer.from('isomiso2avc1mp41')])), box('mdat', media)]);
}

const pdf = (text = 'homework') => Buffer.from(`%PDF-1.4\n% ${text}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`);

/** Uploads through core's `POST /api/v1/files` (multipart) and returns the file's metadata. */
async function upload(user: TestUser, data: Buffer, name: string, visibility: 'public' | 'private' = 'private') {
  const response = await world.t.upload(user, { name, data }, { visibility });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.data as { id: string; content_type: string; size: number };
}

async function fileRow(id: string) {
  const [row] = await world.t.sql<{ owner_plugin: string; owner_id: string | null; storage_key: string }>(
    'select owner_plugin, owner_id, storage_key from files where id = $1',
    [id],
  );
  return row;
}

async function objectsOf(tenantId: string, fileId: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of world.t.kernel.services.storage.list(`t/${tenantId}/`)) if (object.key.includes(fileId)) keys.push(object.key);
  return keys;
}

/** GET as `user`, following the redirect to the signed URL (as a browser does), with extra headers such as Range. */
async function fetchAs(user: TestUser, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${world.t.url}${path}`, { headers: { ...user.headers, ...headers } });
  const bytes = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, bytes };
}

async function newLesson(fields: Record<string, unknown>) {
  const course = await buildCourse(admin, { lessons: 0 });
  const lesson = await admin('POST', `/modules/${course.moduleIds[0]}/lessons`, { title: `Lesson ${++counter}`, status: 'published', ...fields });
  return { course, lesson };
}

beforeAll(async () => {
  world = await bootLms();
  admin = world.as(world.owner);
  [learner, classmate, outsider] = [await world.member(), await world.member(), await world.member()];
  stranger = await otherTenant(world);
});
afterAll(() => world?.t.close());

describe('a lesson video and attachments as stored files', () => {
  it('attaches them to the lesson and serves them to enrolled learners only, with Range through a short-lived signed URL', async () => {
    const video = await upload(world.owner, mp4(), 'intro.mp4');
    const handout = await upload(world.owner, pdf('handout'), 'handout.pdf');
    expect(video.content_type).toBe('video/mp4');
    const { course, lesson } = await newLesson({
      video_file_id: video.id,
      attachments: [
        { title: 'Handout', file_id: handout.id },
        { title: 'Further reading', url: 'https://example.com/reading' },
      ],
    });
    expect(lesson.status, JSON.stringify(lesson.body)).toBe(201);
    const id = lesson.body.data.id;
    const videoUrl = `/api/v1/lms/lessons/${id}/files/${video.id}`;
    expect(lesson.body.data).toMatchObject({
      video_file_id: video.id,
      video_file_url: videoUrl,
      attachments: [
        { title: 'Handout', file_id: handout.id, url: `/api/v1/lms/lessons/${id}/files/${handout.id}` },
        { title: 'Further reading', file_id: null, url: 'https://example.com/reading' },
      ],
    });
    for (const file of [video, handout]) expect(await fileRow(file.id)).toMatchObject({ owner_plugin: 'lms', owner_id: id });

    // Not enrolled: 403 (the lesson is visible but closed); another tenant: 404.
    expect((await fetchAs(learner, videoUrl)).status).toBe(403);
    expect((await fetchAs(stranger, videoUrl)).status).toBe(404);

    expect((await world.as(learner)('POST', `/courses/${course.id}/enroll`)).status).toBe(201);
    const read = await world.as(learner)('GET', `/lessons/${id}`);
    expect(read.body.data.video_file_url).toBe(videoUrl);

    const redirect = await fetch(`${world.t.url}${videoUrl}`, { headers: learner.headers, redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('cache-control')).toBe('no-store');
    expect(redirect.headers.get('location')).toMatch(/\/api\/v1\/files\/signed\/[^/]+$/);

    const whole = await fetchAs(learner, videoUrl);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('video/mp4');
    expect(whole.bytes.equals(mp4())).toBe(true);
    const part = await fetchAs(learner, videoUrl, { range: 'bytes=100-199' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${mp4().length}`);
    expect(part.bytes.equals(mp4().subarray(100, 200))).toBe(true);
    expect((await fetchAs(learner, `/api/v1/lms/lessons/${id}/files/${handout.id}`)).bytes.equals(pdf('handout'))).toBe(true);

    // A file the lesson does not show is not served through it, even one of the same tenant.
    const unrelated = await upload(world.owner, pdf('other'), 'other.pdf');
    expect((await fetchAs(learner, `/api/v1/lms/lessons/${id}/files/${unrelated.id}`)).status).toBe(404);
  });

  it('refuses a public file, a non-video as the video and a file of another tenant with 422, attaching nothing', async () => {
    const open = await upload(world.owner, mp4(), 'public.mp4', 'public');
    const notVideo = await upload(world.owner, pdf(), 'slides.pdf');
    const foreign = await upload(stranger, mp4(), 'theirs.mp4');
    const cases: [Record<string, unknown>, string, string][] = [
      [{ video_file_id: open.id }, 'video_file_id', 'must be a private file (lesson files are served to its readers only)'],
      [{ video_file_id: notVideo.id }, 'video_file_id', 'must be a video (this file is application/pdf)'],
      [{ attachments: [{ title: 'x', file_id: foreign.id }] }, 'attachments.0.file_id', 'is not a file uploaded to this workspace'],
    ];
    for (const [fields, field, message] of cases) {
      const { lesson } = await newLesson(fields);
      expect(lesson.status, JSON.stringify(lesson.body)).toBe(422);
      expect(lesson.body.errors).toEqual({ [field]: [message] });
    }
    for (const file of [open, notVideo, foreign]) expect(await fileRow(file.id)).toMatchObject({ owner_plugin: 'core', owner_id: null });
  });

  it('deletes a replaced video, and every stored file with the lesson', async () => {
    const first = await upload(world.owner, mp4(), 'v1.mp4');
    const second = await upload(world.owner, mp4(3000), 'v2.mp4');
    const { lesson } = await newLesson({ video_file_id: first.id });
    const id = lesson.body.data.id;
    const patched = await admin('PATCH', `/lessons/${id}`, { video_file_id: second.id });
    expect(patched.status).toBe(200);
    expect(await fileRow(first.id)).toBeUndefined();
    await world.t.drainJobs();
    expect(await objectsOf(world.owner.tenant!.id, first.id)).toEqual([]);
    expect((await admin('DELETE', `/lessons/${id}`)).status).toBe(204);
    expect(await fileRow(second.id)).toBeUndefined();
  });
});

describe("a learner's submission", () => {
  it('is stored for the enrolled learner, readable by them and staff only, and replaced by a new one', async () => {
    const { course, lesson } = await newLesson({});
    const id = lesson.body.data.id;
    const mine = await upload(learner, pdf('my essay'), 'essay.pdf');
    // Not enrolled yet: 403, and the upload stays the learner's.
    expect((await world.as(learner)('PUT', `/lessons/${id}/submission`, { file_id: mine.id })).status).toBe(403);
    for (const user of [learner, classmate]) expect((await world.as(user)('POST', `/courses/${course.id}/enroll`)).status).toBe(201);

    const submitted = await world.as(learner)('PUT', `/lessons/${id}/submission`, { file_id: mine.id });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    const submission = submitted.body.data;
    expect(submission).toMatchObject({
      lesson_id: id,
      course_id: course.id,
      user_id: learner.id,
      file: { id: mine.id, name: 'essay.pdf', content_type: 'application/pdf' },
    });
    expect(submission.url).toBe(`/api/v1/lms/submissions/${submission.id}/file`);
    expect(await fileRow(mine.id)).toMatchObject({ owner_plugin: 'lms', owner_id: id });

    expect((await fetchAs(learner, submission.url)).bytes.equals(pdf('my essay'))).toBe(true);
    expect((await fetchAs(world.owner, submission.url)).status).toBe(200);
    expect((await fetchAs(classmate, submission.url)).status).toBe(404);
    expect((await fetchAs(stranger, submission.url)).status).toBe(404);
    expect((await world.as(classmate)('GET', `/lessons/${id}/submissions`)).body.data).toEqual([]);
    expect((await world.as(learner)('GET', `/lessons/${id}/submissions`)).body.data.map((row: { id: string }) => row.id)).toEqual([submission.id]);
    expect((await admin('GET', `/lessons/${id}/submissions`)).body.data).toHaveLength(1);

    // Another learner cannot pass the file off as theirs, nor a lesson's own file.
    const stolen = await world.as(classmate)('PUT', `/lessons/${id}/submission`, { file_id: mine.id });
    expect(stolen.status).toBe(422);
    const theirUpload = await upload(classmate, pdf('classmate'), 'c.pdf');
    const borrowed = await world.as(learner)('PUT', `/lessons/${id}/submission`, { file_id: theirUpload.id });
    expect(borrowed.status).toBe(422);
    expect(await fileRow(theirUpload.id)).toMatchObject({ owner_plugin: 'core' });

    const again = await upload(learner, pdf('second draft'), 'essay-2.pdf');
    const replaced = await world.as(learner)('PUT', `/lessons/${id}/submission`, { file_id: again.id });
    expect(replaced.status).toBe(200);
    expect(replaced.body.data).toMatchObject({ id: submission.id, file: { id: again.id } });
    expect(await fileRow(mine.id)).toBeUndefined();
    expect((await fetchAs(learner, submission.url)).bytes.equals(pdf('second draft'))).toBe(true);
  });

  it('refuses a file over the size limit (413) or of a wrong type (415), leaving no file, object or usage behind', async () => {
    const { course, lesson } = await newLesson({});
    const id = lesson.body.data.id;
    expect((await world.as(outsider)('POST', `/courses/${course.id}/enroll`)).status).toBe(201);
    const set = await world.t.request('PUT', '/api/v1/plugins/lms/settings', { headers: world.owner.headers, body: { submissionMaxBytes: 1000 } });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    const tenantId = world.owner.tenant!.id;
    const usage = async () => (await world.t.kernel.services.files.usage(tenantId)).bytes;
    try {
      const cases: [Buffer, string, number, string][] = [
        [pdf('x'.repeat(2000)), 'big.pdf', 413, 'file_too_large'],
        [Buffer.from('name,score\nada,10\n'), 'scores.csv', 415, 'file_type_not_allowed'],
      ];
      for (const [data, name, status, code] of cases) {
        const before = await usage();
        const file = await upload(outsider, data, name);
        const response = await world.as(outsider)('PUT', `/lessons/${id}/submission`, { file_id: file.id });
        expect(response.status, name).toBe(status);
        expect(response.body).toMatchObject({ success: false, code, meta: { request_id: expect.any(String) } });
        expect(response.headers.get('x-request-id')).toBe(response.body.meta.request_id);
        expect(await fileRow(file.id)).toBeUndefined();
        await world.t.drainJobs();
        expect(await objectsOf(tenantId, file.id)).toEqual([]);
        expect(await usage()).toBe(before);
      }
      expect((await world.as(outsider)('GET', `/lessons/${id}/submissions`)).body.data).toEqual([]);
    } finally {
      await world.t.request('PUT', '/api/v1/plugins/lms/settings', { headers: world.owner.headers, body: {} });
    }
  });
});

describe('purge', () => {
  it("removes LMS's files (lesson videos, submissions) of that tenant only", async () => {
    const theirs = await upload(stranger, mp4(), 'kept.mp4');
    const strangerCourse = await buildCourse(world.as(stranger), { lessons: 0 });
    const kept = await world.as(stranger)('POST', `/modules/${strangerCourse.moduleIds[0]}/lessons`, { title: 'Kept', video_file_id: theirs.id });
    expect(kept.status).toBe(201);
    const video = await upload(world.owner, mp4(), 'gone.mp4');
    const { course, lesson } = await newLesson({ video_file_id: video.id });
    expect(lesson.status).toBe(201);
    const essay = await upload(classmate, pdf('purged essay'), 'purged.pdf');
    expect((await world.as(classmate)('POST', `/courses/${course.id}/enroll`)).status).toBe(201);
    expect((await world.as(classmate)('PUT', `/lessons/${lesson.body.data.id}/submission`, { file_id: essay.id })).status).toBe(201);
    const coreUpload = await upload(world.owner, pdf('core'), 'core.pdf');
    const tenantId = world.owner.tenant!.id;
    expect((await objectsOf(tenantId, video.id)).length).toBe(1);

    expect((await world.t.request('POST', '/api/v1/marketplace/lms/disable', { headers: world.owner.headers })).status).toBe(200);
    const purge = await world.t.request('DELETE', '/api/v1/marketplace/lms/data?confirm=lms', { headers: world.owner.headers });
    expect(purge.status, JSON.stringify(purge.body)).toBe(204);
    expect(await world.t.sql("select id from files where tenant_id = $1 and owner_plugin = 'lms'", [tenantId])).toEqual([]);
    for (const file of [video, essay]) expect(await objectsOf(tenantId, file.id)).toEqual([]);
    expect(await fileRow(coreUpload.id)).toMatchObject({ owner_plugin: 'core' });
    expect(await fileRow(theirs.id)).toMatchObject({ owner_plugin: 'lms' });
    expect((await objectsOf(stranger.tenant!.id, theirs.id)).length).toBe(1);
  });
});
