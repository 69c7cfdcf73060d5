import bioSites from '@plinth/plugin-bio-sites';
import crm from '@plinth/plugin-crm';
import integrations from '@plinth/plugin-integrations';
import lms from '@plinth/plugin-lms';
import payments from '@plinth/plugin-payments';
import shop from '@plinth/plugin-shop';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leftOutTables } from '../../src/tenancy/tenant-transfer.js';
import { addMember, createTestKernel, signUp, solidPng, type TestKernel, type TestUser } from '../../src/testing/index.js';

// `plinth tenant export` on one host and `plinth tenant import` on another: two kernels with every first-party
// plugin, each on its own database and file store, and the CLI run from the build as a host runs it.
const bin = fileURLToPath(new URL('../../bin/plinth.js', import.meta.url));
const work = mkdtempSync(path.join(tmpdir(), 'plinth-transfer-'));
const plugins = [payments, shop, crm, lms, bioSites, integrations];
/**
 * Makes the process print, when it exits, its peak resident memory and the largest live JavaScript heap seen after a
 * forced garbage collection every 500 ms (what the process holds, whatever the collector's pace): KiB and bytes.
 */
const memoryProbe = [
  '--expose-gc',
  '--import',
  'data:text/javascript,let live=0;setInterval(()=>{gc();live=Math.max(live,process.memoryUsage().heapUsed)},500).unref();' +
    'process.on("exit",()=>process.stderr.write("peak-rss-kib="+process.resourceUsage().maxRSS+" live-heap="+live+"\\n"))',
];

/** Runs the CLI against a test kernel's database and file store. */
function plinth(host: TestKernel, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; peakRssMib: number; liveHeapMib: number }> {
  const env = {
    PATH: process.env.PATH ?? '',
    LOG_LEVEL: 'warn',
    DATABASE_URL: host.database.url,
    PLINTH_DATA_DIR: host.kernel.config.dataDir,
    PLINTH_JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
    PLINTH_ENCRYPTION_KEY: 'test-encryption-key-test-encryption-key-0123',
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...memoryProbe, bin, ...args], { cwd: work, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const [, peak = '0', live = '0'] = /peak-rss-kib=(\d+) live-heap=(\d+)\n/.exec(stderr) ?? [];
      const mib = (bytes: number) => Math.round(bytes / 1024 / 1024);
      resolve({ code, stdout, stderr: stderr.replace(/peak-rss-kib=.*\n/, ''), peakRssMib: mib(Number(peak) * 1024), liveHeapMib: mib(Number(live)) });
    });
  });
}

/** Rows of the tenant in each tenant table that moves. */
async function counts(host: TestKernel, tenantId: string): Promise<Record<string, number>> {
  const tables = await host.sql<{ name: string }>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind = 'r' and c.relname <> 'tenants'
       and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped) order by 1`,
  );
  const result: Record<string, number> = {};
  for (const { name } of tables) {
    if (name in leftOutTables) continue;
    const [row] = await host.sql<{ count: number }>(`select count(*)::int as count from "${name}" where tenant_id = $1`, [tenantId]);
    result[name] = row!.count;
  }
  return result;
}

/** A user of `host` with `email`, made a member of the owner's tenant through a real invitation. */
async function memberWithEmail(host: TestKernel, owner: TestUser, email: string): Promise<TestUser> {
  const user = await signUp(host, { email });
  const roles = await host.request('GET', '/api/v1/roles?per_page=100', { headers: owner.headers });
  const member = (roles.body.data as { id: string; name: string }[]).find((role) => role.name === 'member')!;
  const invited = await host.request('POST', '/api/v1/invitations', { headers: owner.headers, body: { email, roles: [member.id] } });
  expect(invited.status).toBe(201);
  const token = new URL(invited.body.data.accept_url as string).searchParams.get('token');
  expect((await host.request('POST', '/api/v1/invitations/accept', { headers: user.headers, body: { token } })).status).toBe(201);
  return { ...user, headers: { ...user.headers, 'x-tenant': owner.tenant!.slug } };
}

async function signIn(host: TestKernel, user: { email: string; password: string }, slug: string): Promise<Record<string, string>> {
  const response = await host.request('POST', '/api/v1/auth/login', { body: { email: user.email, password: user.password } });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return { authorization: `Bearer ${response.body.data.tokens.access_token}`, 'x-tenant': slug };
}

async function download(host: TestKernel, route: string): Promise<{ status: number; bytes: Buffer }> {
  const response = await fetch(`${host.url}${route}`);
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) };
}

const n = randomBytes(3).toString('hex');
const picture = solidPng(320, 240, [200, 40, 90]);
let source: TestKernel;
let target: TestKernel;
let owner: TestUser;
let member: TestUser;
let shared: TestUser;
let sharedOnTarget: TestUser;
let other: TestUser;
let imageId: string;
const archive = path.join(work, 'acme.tar.gz');

beforeAll(async () => {
  [source, target] = await Promise.all([createTestKernel({ plugins }), createTestKernel({ plugins })]);
  owner = await signUp(source, { tenant: { name: 'Acme', slug: `acme-${n}` } });
  for (const plugin of ['crm', 'shop', 'lms', 'bio-sites']) await source.enable(owner, plugin);
  member = await addMember(source, owner, ['admin']);
  const email = `shared-${n}@example.test`;
  [shared, sharedOnTarget] = await Promise.all([memberWithEmail(source, owner, email), signUp(target, { email })]);

  const contact = await source.request('POST', '/api/v1/crm/contacts', { headers: owner.headers, body: { name: 'Grace', email: `grace-${n}@example.test` } });
  expect(contact.status, JSON.stringify(contact.body)).toBe(201);
  const uploaded = await source.upload(owner, { name: 'photo.png', type: 'image/png', data: picture }, { visibility: 'public' });
  expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(201);
  imageId = uploaded.body.data.id;
  const product = await source.request('POST', '/api/v1/shop/products', {
    headers: owner.headers,
    body: { name: 'Mug', slug: `mug-${n}`, status: 'active', image_file_ids: [imageId], variants: [{ sku: `MUG-${n}`, price: 1200 }] },
  });
  expect(product.status, JSON.stringify(product.body)).toBe(201);
  const course = await source.request('POST', '/api/v1/lms/courses', { headers: owner.headers, body: { title: 'Pottery', slug: `pottery-${n}` } });
  expect(course.status, JSON.stringify(course.body)).toBe(201);
  // The course's outline is stored on it and kept by triggers: it must arrive as it left.
  const module = await source.request('POST', `/api/v1/lms/courses/${course.body.data.id}/modules`, { headers: owner.headers, body: { title: 'Clay' } });
  expect(module.status, JSON.stringify(module.body)).toBe(201);
  const lesson = await source.request('POST', `/api/v1/lms/modules/${module.body.data.id}/lessons`, { headers: owner.headers, body: { title: 'Wedging' } });
  expect(lesson.status, JSON.stringify(lesson.body)).toBe(201);

  other = await signUp(source, { tenant: { name: 'Other', slug: `other-${n}` } });
  await source.enable(other, 'crm');
  await source.enable(other, 'bio-sites');
  expect((await source.request('POST', '/api/v1/crm/contacts', { headers: other.headers, body: { email: `secret-${n}@example.test` } })).status).toBe(201);
  const site = await source.request('POST', '/api/v1/bio-sites/sites', { headers: other.headers, body: { slug: `page-${n}`, title: 'Page' } });
  expect(site.status, JSON.stringify(site.body)).toBe(201);
  await source.drainEvents();
  await source.drainJobs();
}, 120_000);
afterAll(async () => {
  await Promise.all([source?.close(), target?.close()]);
  rmSync(work, { recursive: true, force: true });
});

// Each step runs the CLI once or twice (about 2 s each on an idle machine, several times that on a loaded one).
describe('plinth tenant export / import', { timeout: 90_000 }, () => {
  it('exports one tenant, and nothing of another', async () => {
    const exported = await plinth(source, ['tenant', 'export', owner.tenant!.slug, '--out', archive]);
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain(`Exported tenant ${owner.tenant!.slug} (${owner.tenant!.id})`);
    const text = gunzipSync(readFileSync(archive)).toString('latin1');
    for (const part of ['manifest.json', 'users.jsonl', 'tables/crm_contacts.jsonl', 'tables/memberships.jsonl', 'objects.jsonl', `objects/core/${imageId}`])
      expect(text).toContain(part);
    for (const foreign of [other.tenant!.id, other.tenant!.slug, other.email, `secret-${n}`]) expect(text).not.toContain(foreign);
    expect(text).not.toContain('is_super_admin');
    // An export never overwrites.
    expect((await plinth(source, ['tenant', 'export', owner.tenant!.slug, '--out', archive])).stderr).toMatch(/exists; name a new file/);
  });

  it('refuses a tampered archive and writes nothing', async () => {
    const tar = gunzipSync(readFileSync(archive));
    const at = tar.indexOf(`grace-${n}`);
    expect(at).toBeGreaterThan(0);
    tar.write('G', at);
    const tampered = path.join(work, 'tampered.tar.gz');
    writeFileSync(tampered, gzipSync(tar));
    const refused = await plinth(target, ['tenant', 'import', tampered]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^plinth: the archive is damaged or was changed: tables\/crm_contacts.jsonl does not match its SHA-256/);
    expect(await target.sql('select 1 from tenants where id = $1', [owner.tenant!.id])).toEqual([]);
    const objects = [];
    for await (const object of target.kernel.services.storage.list(`t/${owner.tenant!.id}/`)) objects.push(object);
    expect(objects).toEqual([]);
  });

  it('imports on another host: same rows, accounts merged by email, files, plugin data, schedules', async () => {
    const imported = await plinth(target, ['tenant', 'import', archive]);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('1 merged with existing accounts');
    const tenantId = owner.tenant!.id;
    const slug = owner.tenant!.slug;

    const [before, after] = await Promise.all([counts(source, tenantId), counts(target, tenantId)]);
    expect(after).toEqual(before);
    expect(before.memberships).toBe(3);
    expect(before.files).toBeGreaterThanOrEqual(1);
    // Its subscription moves with it, on the default plan (core/test/billing/transfer-billing.test.ts: another host's plan).
    expect(await target.sql('select p.key from tenant_subscriptions s join billing_plans p on p.id = s.plan_id where s.tenant_id = $1', [tenantId])).toEqual([
      { key: 'free' },
    ]);

    // The member signs in on the new host with the password of the old one and reads each plugin's data.
    const headers = await signIn(target, member, slug);
    const contacts = await target.request('GET', '/api/v1/crm/contacts', { headers });
    expect(contacts.status, JSON.stringify(contacts.body)).toBe(200);
    expect(contacts.body.data.map((row: { email: string }) => row.email)).toEqual([`grace-${n}@example.test`]);
    const ownerHeaders = await signIn(target, owner, slug);
    const courses = await target.request('GET', '/api/v1/lms/courses', { headers: ownerHeaders });
    expect(courses.body.data.map((row: { title: string }) => row.title)).toEqual(['Pottery']);
    const course = await target.request('GET', `/api/v1/lms/courses/${courses.body.data[0].id}`, { headers: ownerHeaders });
    const outline = course.body.data.modules.map((row: { title: string; lessons: { title: string }[] }) => [
      row.title,
      row.lessons.map((lesson) => lesson.title),
    ]);
    expect(outline).toEqual([['Clay', ['Wedging']]]);
    const products = await target.request('GET', '/api/v1/shop/products', { headers });
    expect(products.body.data.map((row: { slug: string }) => row.slug)).toEqual([`mug-${n}`]);

    // The account that already existed on the target (same email) is the member now; its own password still works.
    const [membership] = await target.sql<{ user_id: string }>(
      'select m.user_id from memberships m join users u on u.id = m.user_id where m.tenant_id = $1 and lower(u.email) = lower($2)',
      [tenantId, shared.email],
    );
    expect(membership!.user_id).toBe(sharedOnTarget.id);
    expect(await target.sql('select 1 from users where id = $1', [shared.id])).toEqual([]);
    // What the merged account did (joining, in the audit log) names the target's account now.
    const acted = (host: TestKernel, userId: string) =>
      host.sql<{ count: number }>('select count(*)::int as count from audit_log where tenant_id = $1 and actor_user_id = $2', [tenantId, userId]);
    const [[actedOnSource], [actedOnTarget]] = await Promise.all([acted(source, shared.id), acted(target, sharedOnTarget.id)]);
    expect(actedOnSource!.count).toBeGreaterThan(0);
    expect(actedOnTarget!.count).toBe(actedOnSource!.count);
    const tenant = await target.request('GET', '/api/v1/tenant', { headers: await signIn(target, sharedOnTarget, slug) });
    expect(tenant.status).toBe(200);
    expect(tenant.body.data.name).toBe('Acme');

    // The image and its variants download with the bytes the source serves.
    const original = await download(target, `/api/v1/files/public/${tenantId}/${imageId}`);
    expect(original.status).toBe(200);
    expect(original.bytes.equals(picture)).toBe(true);
    const thumb = [
      await download(source, `/api/v1/files/public/${tenantId}/${imageId}?variant=thumb`),
      await download(target, `/api/v1/files/public/${tenantId}/${imageId}?variant=thumb`),
    ];
    expect(thumb[1]!.status).toBe(200);
    expect(thumb[1]!.bytes.equals(thumb[0]!.bytes)).toBe(true);

    // Recurring schedules are saved again on the target.
    const schedules = (host: TestKernel) =>
      host.sql<{ name: string }>("select name from plinth_jobs where repeat_interval is not null and data->>'tenantId' = $1 order by name", [tenantId]);
    const expected = await schedules(source);
    expect(expected.length).toBeGreaterThan(0);
    expect(await schedules(target)).toEqual(expected);
  });

  it('refuses to import the same tenant twice', async () => {
    const again = await plinth(target, ['tenant', 'import', archive]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^plinth: the tenant \S+ already exists on this host/);
  });

  it('exports 50,000 rows with flat memory', async () => {
    const big = await signUp(source, { tenant: true });
    await source.sql(
      `insert into audit_log (tenant_id, action, data) select $1, 'bulk.row', jsonb_build_object('n', n, 'pad', $2::text) from generate_series(1, 50000) n`,
      [big.tenant!.id, 'x'.repeat(1000)],
    );
    const small = await plinth(source, ['tenant', 'export', other.tenant!.slug, '--out', path.join(work, 'small.tar.gz')]);
    const started = Date.now();
    const large = await plinth(source, ['tenant', 'export', big.tenant!.slug, '--out', path.join(work, 'big.tar.gz')]);
    const seconds = (Date.now() - started) / 1000;
    expect(large.stderr).toBe('');
    expect(large.code).toBe(0);
    expect(large.stdout).toMatch(/ 500\d\d rows in /);
    console.log(
      `tenant export of 50,000 rows of ~1 KB (~55 MB of JSON): ${seconds.toFixed(1)} s, peak RSS ${large.peakRssMib} MiB, live heap ${large.liveHeapMib} MiB` +
        ` (a tiny tenant: peak RSS ${small.peakRssMib} MiB, live heap ${small.liveHeapMib} MiB)`,
    );
    // ~55 MB of rows held in memory would be more than that in the heap; streamed, a batch at a time is.
    expect(small.liveHeapMib).toBeGreaterThan(0);
    expect(large.liveHeapMib - small.liveHeapMib).toBeLessThan(30);
  });

  it('refuses a slug taken on the target, and a row unique over the host, writing nothing; imports under another slug', async () => {
    const small = path.join(work, 'small.tar.gz');
    const squatter = await signUp(target, { tenant: { name: 'Squatter', slug: other.tenant!.slug } });
    const refused = await plinth(target, ['tenant', 'import', small]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`the slug "${other.tenant!.slug}" is taken on this host; import under another with --slug`);

    // A bio site's slug is unique over the host: the import fails on it, names it, and leaves nothing behind.
    await target.enable(squatter, 'bio-sites');
    const site = await target.request('POST', '/api/v1/bio-sites/sites', { headers: squatter.headers, body: { slug: `page-${n}`, title: 'Taken' } });
    expect(site.status).toBe(201);
    const conflict = await plinth(target, ['tenant', 'import', small, '--slug', `moved-${n}`]);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toMatch(
      /^plinth: a row of bio_sites_slugs conflicts with one already on this host \(bio_sites_slugs_\w+\): a value unique over the host/,
    );
    expect(await target.sql('select 1 from tenants where id = $1 or slug = $2', [other.tenant!.id, `moved-${n}`])).toEqual([]);
    expect(await target.sql('select 1 from users where lower(email) = lower($1)', [other.email])).toEqual([]);

    expect((await target.request('DELETE', `/api/v1/bio-sites/sites/${site.body.data.id}`, { headers: squatter.headers })).status).toBe(204);
    const moved = await plinth(target, ['tenant', 'import', small, '--slug', `moved-${n}`]);
    expect(moved.stderr).toBe('');
    expect(moved.code).toBe(0);
    const contacts = await target.request('GET', '/api/v1/crm/contacts', { headers: await signIn(target, other, `moved-${n}`) });
    expect(contacts.body.data.map((row: { email: string }) => row.email)).toEqual([`secret-${n}@example.test`]);
  });
});
