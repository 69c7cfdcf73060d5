import { createTestKernel, signUp, solidPng, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin from '../src/plugin.js';
import { addBlock, createSite, visit } from './helpers.js';

let t: TestKernel;
let owner: TestUser;
let other: TestUser;
const sites = '/api/v1/bio-sites/sites';

/** Uploads through core's `POST /api/v1/files` (multipart, as the console does) and returns the file's metadata. */
async function upload(user: TestUser, file: { name: string; type: string; data: Buffer }, visibility: 'public' | 'private' = 'public') {
  const response = await t.upload(user, file, { visibility });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.data as { id: string; content_type: string };
}

async function fileRow(id: string) {
  const [row] = await t.sql<{ owner_plugin: string; owner_id: string | null; attached_at: Date | null }>(
    'select owner_plugin, owner_id, attached_at from files where id = $1',
    [id],
  );
  return row;
}

beforeAll(async () => {
  t = await createTestKernel({ plugins: [plugin] });
  [owner, other] = await Promise.all([signUp(t, { tenant: true }), signUp(t, { tenant: true })]);
  await t.enable(owner, 'bio-sites');
  await t.enable(other, 'bio-sites');
});
afterAll(() => t?.close());

describe('the avatar_file_id field', () => {
  it('is a FileRef in the OpenAPI document: a uuid with x-plinth-file (accepted types, size, public), for the console', async () => {
    const document = (await t.request('GET', '/api/v1/openapi.json')).body;
    const body = document.paths['/api/v1/bio-sites/sites'].post.requestBody.content['application/json'].schema;
    const [file] = body.properties.avatar_file_id.anyOf;
    expect(file).toMatchObject({
      type: 'string',
      format: 'uuid',
      title: 'Avatar image',
      'x-plinth-file': { accept: ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif'], maxBytes: 10 * 1024 * 1024, public: true },
    });
  });

  it('refuses what is not a uuid with 422, as the schema says', async () => {
    const response = await t.request('POST', sites, { headers: owner.headers, body: { slug: 'bad-file-id', title: 'Bad', avatar_file_id: '../etc/passwd' } });
    expect(response.status).toBe(422);
    expect(Object.keys(response.body.errors)).toContain('avatar_file_id');
  });
});

describe('a site with a stored avatar', () => {
  it('attaches the uploaded image to the site and shows it on the public page, from the same origin', async () => {
    const file = await upload(owner, { name: 'me.png', type: 'image/png', data: solidPng(300, 300) });
    const site = await createSite(t, owner, { slug: 'stored-avatar', title: 'Stored', avatar_file_id: file.id, status: 'published' });
    expect(site.avatar_file_id).toBe(file.id);
    expect(await fileRow(file.id)).toMatchObject({ owner_plugin: 'bio-sites', owner_id: site.id, attached_at: expect.any(Date) });

    const page = await visit(t, '/b/stored-avatar');
    expect(page.status).toBe(200);
    const src = /<img class="avatar" src="([^"]+)" alt="Stored"/.exec(page.text)?.[1];
    expect(src).toBe(`/api/v1/files/public/${owner.tenant!.id}/${file.id}`);
    expect(page.headers.get('content-security-policy')).toContain("img-src 'self' https: data:");
    const image = await fetch(`${t.url}${src}`);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');

    // Once the variants job has run, the page (rendered again after any change) shows the small WebP thumbnail.
    await t.drainJobs();
    expect((await t.request('PATCH', `${sites}/${site.id}`, { headers: owner.headers, body: { bio: 'Now with a thumbnail' } })).status).toBe(200);
    const thumb = /<img class="avatar" src="([^"]+)"/.exec((await visit(t, '/b/stored-avatar')).text)?.[1];
    expect(thumb).toBe(`/api/v1/files/public/${owner.tenant!.id}/${file.id}?variant=thumb`);
    const variant = await fetch(`${t.url}${thumb}`);
    expect(variant.status).toBe(200);
    expect(variant.headers.get('content-type')).toBe('image/webp');
  });

  it("refuses another tenant's file id with 422 and leaves that file alone", async () => {
    const theirs = await upload(other, { name: 'theirs.png', type: 'image/png', data: solidPng(8, 8) });
    const response = await t.request('POST', sites, { headers: owner.headers, body: { slug: 'not-mine', title: 'Nope', avatar_file_id: theirs.id } });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'validation_failed', errors: { avatar_file_id: ['is not a file uploaded to this workspace'] } });
    expect(await fileRow(theirs.id)).toMatchObject({ owner_plugin: 'core', owner_id: null, attached_at: null });
    expect(await t.sql('select 1 from bio_sites_sites where slug = $1', ['not-mine'])).toHaveLength(0);
  });

  it('refuses a file that is not an image, and a private image, undoing the attach', async () => {
    const text = await upload(owner, { name: 'notes.txt', type: 'text/plain', data: Buffer.from('just some words\n') });
    expect(text.content_type).toMatch(/^text\/plain/);
    const site = await createSite(t, owner, { slug: 'picky-site', title: 'Picky' });
    const refused = await t.request('PATCH', `${sites}/${site.id}`, { headers: owner.headers, body: { avatar_file_id: text.id } });
    expect(refused.status).toBe(422);
    expect(refused.body.errors.avatar_file_id[0]).toMatch(/must be a PNG, JPEG, GIF, WebP or AVIF image \(this file is text\/plain/);
    expect(await fileRow(text.id)).toMatchObject({ owner_plugin: 'core', owner_id: null, attached_at: null });

    const hidden = await upload(owner, { name: 'hidden.png', type: 'image/png', data: solidPng(8, 8) }, 'private');
    const privateRefused = await t.request('PATCH', `${sites}/${site.id}`, { headers: owner.headers, body: { avatar_file_id: hidden.id } });
    expect(privateRefused.status).toBe(422);
    expect(privateRefused.body.errors).toEqual({ avatar_file_id: ['must be a public file (upload it with visibility=public)'] });
    expect((await t.request('GET', `${sites}/${site.id}`, { headers: owner.headers })).body.data.avatar_file_id).toBeNull();
  });

  it('deletes the old stored avatar when it is replaced or removed', async () => {
    const first = await upload(owner, { name: 'first.png', type: 'image/png', data: solidPng(8, 8) });
    const second = await upload(owner, { name: 'second.png', type: 'image/png', data: solidPng(9, 9) });
    const site = await createSite(t, owner, { slug: 'changing-face', title: 'Changing', avatar_file_id: first.id });
    expect((await t.request('PATCH', `${sites}/${site.id}`, { headers: owner.headers, body: { avatar_file_id: second.id } })).status).toBe(200);
    expect(await fileRow(first.id)).toBeUndefined();
    expect(await fileRow(second.id)).toMatchObject({ owner_plugin: 'bio-sites', owner_id: site.id });
    expect((await t.request('PATCH', `${sites}/${site.id}`, { headers: owner.headers, body: { avatar_file_id: null } })).status).toBe(200);
    expect(await fileRow(second.id)).toBeUndefined();
  });
});

describe('an image block showing a stored file', () => {
  it('attaches the file to the site, shows it on the page, and deletes it with the block', async () => {
    const site = await createSite(t, owner, { slug: 'image-blocks', title: 'Images', status: 'published' });
    const file = await upload(owner, { name: 'photo.png', type: 'image/png', data: solidPng(64, 48) });
    const block = await addBlock(t, owner, site.id, { type: 'image', data: { file_id: file.id, alt: 'A red square' } });
    expect(block.data).toEqual({ file_id: file.id, alt: 'A red square' });
    expect(await fileRow(file.id)).toMatchObject({ owner_plugin: 'bio-sites', owner_id: site.id });
    const page = await visit(t, '/b/image-blocks');
    const src = /<figure><img src="([^"]+)" alt="A red square"/.exec(page.text)?.[1];
    expect(src).toMatch(new RegExp(`^/api/v1/files/public/${owner.tenant!.id}/${file.id}(\\?variant=medium)?$`));
    expect((await fetch(`${t.url}${src}`)).status).toBe(200);

    const blockPath = `${sites}/${site.id}/blocks/${block.id}`;
    expect((await t.request('DELETE', blockPath, { headers: owner.headers })).status).toBe(204);
    expect(await fileRow(file.id)).toBeUndefined();
  });

  it("refuses another tenant's file, a file id with a URL, and a text file, with field errors", async () => {
    const site = await createSite(t, owner, { slug: 'image-refusals', title: 'Refusals' });
    const theirs = await upload(other, { name: 'theirs.png', type: 'image/png', data: solidPng(8, 8) });
    const text = await upload(owner, { name: 'words.txt', type: 'text/plain', data: Buffer.from('words\n') });
    const add = (data: Record<string, unknown>) => t.request('POST', `${sites}/${site.id}/blocks`, { headers: owner.headers, body: { type: 'image', data } });
    const across = await add({ file_id: theirs.id, alt: '' });
    expect(across.status).toBe(422);
    expect(across.body.errors).toEqual({ 'data.file_id': ['is not a file uploaded to this workspace'] });
    const both = await add({ file_id: theirs.id, url: 'https://img.example/a.png', alt: '' });
    expect(both.body.errors).toEqual({ 'data.url': ['must be left out when file_id is given'] });
    const notImage = await add({ file_id: text.id, alt: '' });
    expect(notImage.status).toBe(422);
    expect(notImage.body.errors['data.file_id'][0]).toMatch(/^must be a PNG, JPEG, GIF, WebP or AVIF image/);
    expect(await t.sql('select 1 from bio_sites_blocks where site_id = $1', [site.id])).toHaveLength(0);
    expect(await fileRow(theirs.id)).toMatchObject({ owner_plugin: 'core', attached_at: null });
  });

  it('deleting a site deletes the files of its avatar and image blocks', async () => {
    const [avatar, photo] = await Promise.all([
      upload(owner, { name: 'a.png', type: 'image/png', data: solidPng(8, 8) }),
      upload(owner, { name: 'b.png', type: 'image/png', data: solidPng(9, 9) }),
    ]);
    const site = await createSite(t, owner, { slug: 'short-lived', title: 'Short lived', avatar_file_id: avatar.id });
    await addBlock(t, owner, site.id, { type: 'image', data: { file_id: photo.id, alt: 'b' } });
    expect((await t.request('DELETE', `${sites}/${site.id}`, { headers: owner.headers })).status).toBe(204);
    expect(await fileRow(avatar.id)).toBeUndefined();
    expect(await fileRow(photo.id)).toBeUndefined();
  });
});

describe("purging the tenant's Bio Sites data", () => {
  it('removes the files its sites hold: rows, and the public URL answers 404', async () => {
    const purgeOwner = await signUp(t, { tenant: true });
    await t.enable(purgeOwner, 'bio-sites');
    const file = await upload(purgeOwner, { name: 'gone.png', type: 'image/png', data: solidPng(8, 8) });
    await createSite(t, purgeOwner, { slug: 'soon-purged', title: 'Soon gone', avatar_file_id: file.id, status: 'published' });
    const url = `${t.url}/api/v1/files/public/${purgeOwner.tenant!.id}/${file.id}`;
    expect((await fetch(url)).status).toBe(200);
    expect((await t.request('POST', '/api/v1/marketplace/bio-sites/disable', { headers: purgeOwner.headers, body: {} })).status).toBe(200);
    expect((await t.request('DELETE', '/api/v1/marketplace/bio-sites/data?confirm=bio-sites', { headers: purgeOwner.headers })).status).toBe(204);
    expect(await fileRow(file.id)).toBeUndefined();
    expect((await fetch(url)).status).toBe(404);
  });
});
