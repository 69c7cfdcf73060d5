import type { TestUser } from '@plinth/core/testing';
import payments from '@plinth/plugin-payments';
import shop from '@plinth/plugin-shop';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { page } from './pages-support.js';
import { bootLms, buildCourse, otherTenant, type Call, type LmsWorld } from './support.js';

let world: LmsWorld;
let admin: Call;
let slug: string;
let b: TestUser;
const courses: Record<string, { id: string; slug: string; lessonIds: string[] }> = {};

/** The public JSON catalogue of a tenant, called without credentials. */
const publicApi = (tenant: string, path: string) => world.t.request('GET', `/api/v1/lms${path}`, { headers: { 'x-tenant': tenant } });

async function course(name: string, options: Parameters<typeof buildCourse>[1] = {}) {
  const built = await buildCourse(admin, { ...options, course: { slug: `${name}-course`, title: `${name} title`, ...options.course } });
  courses[name] = { id: built.id, slug: `${name}-course`, lessonIds: built.lessonIds };
}

beforeAll(async () => {
  world = await bootLms([payments, shop]);
  admin = world.as(world.owner);
  slug = world.owner.tenant!.slug;
  await world.t.enable(world.owner, 'shop');
  const product = await world.t.request('POST', '/api/v1/shop/products', {
    headers: world.owner.headers,
    body: { name: 'Algebra', slug: 'algebra-product', status: 'active', metadata: {}, variants: [{ sku: 'ALG-1', price: 4900, stock: 100 }] },
  });
  expect(product.status).toBe(201);
  await course('free', { course: { description: 'Learn to cook.\n\nSecond paragraph.', instructor_ids: [world.owner.id], category: 'Kitchen' } });
  await course('sold', { course: { shop_product_id: product.body.data.id } });
  await course('draft', { status: 'draft' });
  await course('archived', { status: 'archived' });
  // A draft lesson in a published course: its title and content never reach the catalogue.
  const modules = await admin('GET', `/courses/${courses.free!.id}`);
  const draft = await admin('POST', `/modules/${modules.body.data.modules[0].id}/lessons`, {
    title: 'Hidden draft lesson',
    status: 'draft',
    content_html: '<p>SECRET-DRAFT</p>',
  });
  expect(draft.status).toBe(201);
  b = await otherTenant(world);
  expect((await world.as(b)('POST', '/courses', { title: 'B course', slug: 'b-course', status: 'published' })).status).toBe(201);
});
afterAll(() => world?.t.close());

describe('public catalogue (JSON)', () => {
  it('lists the published courses of the tenant only, with instructors, lesson count and the shop’s price', async () => {
    const listed = await publicApi(slug, '/catalogue');
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((item: { slug: string }) => item.slug).sort()).toEqual(['free-course', 'sold-course']);
    const byslug = Object.fromEntries(listed.body.data.map((item: { slug: string }) => [item.slug, item]));
    expect(byslug['free-course']).toMatchObject({ free: true, price: null, buy_url: null, lesson_count: 2, instructors: [{ name: expect.any(String) }] });
    expect(byslug['sold-course']).toMatchObject({
      free: false,
      price: 4900,
      currency: expect.stringMatching(/^[A-Z]{3}$/),
      buy_url: `/c/${slug}/buy/algebra-product`,
    });
    expect(JSON.stringify(listed.body)).not.toContain(world.owner.email);
    expect(listed.body.meta.pagination.total).toBe(2);
  });

  it('searches by title and category', async () => {
    expect((await publicApi(slug, '/catalogue?q=kitchen')).body.data.map((item: { slug: string }) => item.slug)).toEqual(['free-course']);
    expect((await publicApi(slug, '/catalogue?q=sold')).body.data.map((item: { slug: string }) => item.slug)).toEqual(['sold-course']);
    expect((await publicApi(slug, '/catalogue?q=%25')).body.data).toEqual([]);
  });

  it('shows one course with its outline of published lesson titles — no content, no drafts', async () => {
    const one = await publicApi(slug, '/catalogue/free-course');
    expect(one.status).toBe(200);
    expect(one.body.data.modules).toEqual([
      { title: 'Module 1', lessons: [expect.objectContaining({ title: 'Lesson 1' }), expect.objectContaining({ title: 'Lesson 2' })] },
    ]);
    const text = JSON.stringify(one.body);
    expect(text).not.toContain('Hidden draft lesson');
    expect(text).not.toContain('SECRET-DRAFT');
    expect(text).not.toContain('Body 1');
  });

  it('answers 404 for drafts, archived courses and another tenant’s course', async () => {
    expect((await publicApi(slug, '/catalogue/draft-course')).status).toBe(404);
    expect((await publicApi(slug, '/catalogue/archived-course')).status).toBe(404);
    expect((await publicApi(slug, '/catalogue/b-course')).status).toBe(404);
    expect((await publicApi(b.tenant!.slug, '/catalogue')).body.data.map((item: { slug: string }) => item.slug)).toEqual(['b-course']);
  });

  it('refuses bad input with 4xx and changes nothing', async () => {
    const before = await world.t.sql('select count(*)::int as n from lms_courses');
    expect((await publicApi(slug, '/catalogue?per_page=1000')).status).toBe(422);
    expect((await publicApi(slug, `/catalogue?q=${'x'.repeat(101)}`)).status).toBe(422);
    expect((await publicApi(slug, '/catalogue/Not%20A%20Slug')).status).toBe(422);
    expect((await world.t.request('GET', '/api/v1/lms/catalogue')).status).toBeGreaterThanOrEqual(400);
    expect(await world.t.sql('select count(*)::int as n from lms_courses')).toEqual(before);
  });

  it('shows no price or buy link without the shop', async () => {
    const asB = world.as(b);
    const sold = await asB('POST', '/courses', {
      title: 'B sold',
      slug: 'b-sold',
      status: 'published',
      shop_product_id: '00000000-0000-4000-8000-000000000001',
    });
    expect(sold.status).toBe(201);
    const one = await publicApi(b.tenant!.slug, '/catalogue/b-sold');
    expect(one.body.data).toMatchObject({ free: false, price: null, currency: null, buy_url: null });
    const shown = await world.t.request('GET', `/c/${b.tenant!.slug}/courses/b-sold`);
    expect(shown.status).toBe(200);
    expect(shown.body).toContain('not on sale');
    expect(shown.body).not.toContain('/buy/');
  });
});

describe('catalogue pages', () => {
  it('lists published courses as a page without script, under a strict CSP', async () => {
    const shown = await world.t.request('GET', `/c/${slug}/courses`);
    expect(shown.status).toBe(200);
    expect(shown.headers.get('content-type')).toContain('text/html');
    expect(shown.headers.get('content-security-policy')).toContain("script-src 'none'");
    expect(shown.body).toContain('free title');
    expect(shown.body).toContain('sold title');
    expect(shown.body).not.toContain('draft title');
    expect(shown.body).not.toContain('archived title');
    expect(shown.body).not.toContain('B course');
    expect(shown.body).not.toContain('<script');
    expect(shown.body).toContain('<label for="q">');
    const searched = await world.t.request('GET', `/c/${slug}/courses?q=kitchen`);
    expect(searched.body).toContain('free title');
    expect(searched.body).not.toContain('sold title');
  });

  it('shows a sold course with its price and a Buy link to the shop’s buy page', async () => {
    const shown = await world.t.request('GET', `/c/${slug}/courses/sold-course`);
    expect(shown.status).toBe(200);
    expect(shown.body).toContain(`href="/c/${slug}/buy/algebra-product"`);
    expect(shown.body).toMatch(/Buy for \$?49/);
  });

  it('offers an anonymous visitor of a free course to sign in, coming back to the course', async () => {
    const shown = await world.t.request('GET', `/c/${slug}/courses/free-course`);
    expect(shown.status).toBe(200);
    expect(shown.body).toContain(`/c/${slug}/account/sign-in?next=${encodeURIComponent(`/c/${slug}/courses/free-course`)}`);
    expect(shown.body).toContain('Second paragraph.');
    expect(shown.body).toContain('Lesson 1');
    expect(shown.body).not.toContain('Hidden draft lesson');
    expect(shown.body).not.toContain('Body 1');
  });

  it('answers a 404 page for drafts, unknown slugs and another tenant’s course', async () => {
    for (const path of ['/courses/draft-course', '/courses/nope', '/courses/b-course', '/courses/%00']) {
      const shown = await world.t.request('GET', `/c/${slug}${path}`);
      expect(shown.status, path).toBe(404);
      expect(shown.body, path).not.toContain('B course');
    }
  });

  it('sends an anonymous "Enrol" to sign in, and enrols nobody', async () => {
    const posted = await page(world.t, 'POST', `/c/${slug}/courses/free-course/enroll`);
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe(`/c/${slug}/account/sign-in?next=${encodeURIComponent(`/c/${slug}/courses/free-course`)}`);
    expect(await world.t.sql('select id from lms_enrollments where course_id = $1', [courses.free!.id])).toEqual([]);
  });

  it('speaks the tenant’s language: Arabic pages are right to left', async () => {
    const changed = await world.t.request('PATCH', '/api/v1/tenant', { headers: b.headers, body: { locale: 'ar' } });
    expect(changed.status).toBe(200);
    const shown = await world.t.request('GET', `/c/${b.tenant!.slug}/courses`);
    expect(shown.status).toBe(200);
    expect(shown.body).toContain('<html lang="ar" dir="rtl">');
    expect(shown.body).toContain('الدورات');
  });
});
