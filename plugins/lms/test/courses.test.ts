import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLms, buildCourse, type Call, type LmsWorld } from './support.js';

let world: LmsWorld;
let call: Call;
beforeAll(async () => {
  world = await bootLms();
  call = world.as(world.owner);
});
afterAll(() => world?.t.close());

describe('courses', () => {
  it('creates, lists, filters, reads, changes and deletes a course', async () => {
    const created = await call('POST', '/courses', { title: 'Algebra I', slug: 'algebra-1', level: 'intermediate', category: 'maths', description: 'Numbers' });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ title: 'Algebra I', slug: 'algebra-1', status: 'draft', free: true, instructor_ids: [], published_at: null });
    const id = created.body.data.id;

    await call('POST', '/courses', { title: 'Poetry', slug: 'poetry', category: 'english', status: 'published' });
    const maths = await call('GET', '/courses?category=maths');
    expect(maths.body.data.map((course: { slug: string }) => course.slug)).toEqual(['algebra-1']);
    expect((await call('GET', '/courses?q=poe')).body.data.map((course: { slug: string }) => course.slug)).toEqual(['poetry']);
    expect((await call('GET', '/courses?status=published&per_page=1')).body.meta.pagination).toMatchObject({ total: 1, per_page: 1 });

    const patched = await call('PATCH', `/courses/${id}`, { status: 'published', title: 'Algebra One' });
    expect(patched.status).toBe(200);
    expect(patched.body.data).toMatchObject({ status: 'published', title: 'Algebra One', published_at: expect.any(String) });

    const read = await call('GET', `/courses/${id}`);
    expect(read.body.data).toMatchObject({ id, modules: [] });

    expect((await call('DELETE', `/courses/${id}`)).status).toBe(204);
    expect((await call('GET', `/courses/${id}`)).status).toBe(404);
    expect((await call('DELETE', `/courses/${id}`)).status).toBe(404);
  });

  it('refuses bad course input with 422 and a taken slug with 409', async () => {
    for (const body of [
      {},
      { title: '', slug: 'x' },
      { title: 'A', slug: 'Not A Slug' },
      { title: 'A', slug: 'a', status: 'live' },
      { title: 'A', slug: 'a', level: 'expert' },
      { title: 'A', slug: 'a', shop_product_id: 'nope' },
      { title: 'A', slug: 'a', extra: 1 },
    ]) {
      const response = await call('POST', '/courses', body);
      expect(response.status, JSON.stringify(body)).toBe(422);
      expect(response.body.code).toBe('validation_failed');
    }
    const notMember = await call('POST', '/courses', { title: 'A', slug: 'a-1', instructor_ids: ['00000000-0000-4000-8000-000000000000'] });
    expect(notMember.status).toBe(422);
    expect(notMember.body.errors.instructor_ids[0]).toMatch(/not a member/);
    // A customer (a learner who bought) is a member of the tenant but never instructs: instructors manage courses.
    const customer = await world.t.customer(world.owner);
    const customerInstructor = await call('POST', '/courses', { title: 'A', slug: 'a-2', instructor_ids: [customer.id] });
    expect(customerInstructor.status).toBe(422);
    expect(customerInstructor.body.errors.instructor_ids[0]).toMatch(/customer, not staff/);
    expect(await world.t.sql("select 1 from lms_courses where slug = 'a-2'")).toEqual([]);

    await call('POST', '/courses', { title: 'Taken', slug: 'taken' });
    const duplicate = await call('POST', '/courses', { title: 'Again', slug: 'taken' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.errors).toEqual({ slug: ['is taken'] });
    const other = await call('POST', '/courses', { title: 'Other', slug: 'other-slug' });
    expect((await call('PATCH', `/courses/${other.body.data.id}`, { slug: 'taken' })).status).toBe(409);
    expect((await call('PATCH', `/courses/${other.body.data.id}`, {})).status).toBe(422);
    expect((await call('GET', '/courses/not-a-uuid')).status).toBe(422);
    expect((await call('GET', '/courses?per_page=500')).status).toBe(422);
  });

  it('will not delete a course with enrolments (archive it instead)', async () => {
    const course = await buildCourse(call);
    expect((await call('POST', `/courses/${course.id}/enroll`)).status).toBe(201);
    const refused = await call('DELETE', `/courses/${course.id}`);
    expect(refused.status).toBe(409);
    expect((await call('PATCH', `/courses/${course.id}`, { status: 'archived' })).body.data.status).toBe('archived');
  });
});

describe('modules and lessons', () => {
  it('adds, renames, reorders and deletes modules', async () => {
    const course = await buildCourse(call, { lessons: 0 });
    const second = await call('POST', `/courses/${course.id}/modules`, { title: 'Module 2' });
    const third = await call('POST', `/courses/${course.id}/modules`, { title: 'Module 3' });
    expect(third.body.data.position).toBe(3);
    const order = [third.body.data.id, course.moduleIds[0], second.body.data.id];
    const reordered = await call('PUT', `/courses/${course.id}/modules/order`, { ids: order });
    expect(reordered.status).toBe(200);
    expect(reordered.body.data.map((module: { id: string }) => module.id)).toEqual(order);
    expect((await call('GET', `/courses/${course.id}`)).body.data.modules.map((module: { id: string }) => module.id)).toEqual(order);

    expect((await call('PUT', `/courses/${course.id}/modules/order`, { ids: order.slice(1) })).status).toBe(422);
    expect((await call('PUT', `/courses/${course.id}/modules/order`, { ids: [...order.slice(1), '00000000-0000-4000-8000-000000000000'] })).status).toBe(422);
    expect((await call('PUT', `/courses/${course.id}/modules/order`, { ids: [order[0], order[0], order[1]] })).status).toBe(422);

    expect((await call('PATCH', `/modules/${second.body.data.id}`, { title: 'Renamed' })).body.data.title).toBe('Renamed');
    expect((await call('PATCH', `/modules/${second.body.data.id}`, { title: '' })).status).toBe(422);
    expect((await call('DELETE', `/modules/${second.body.data.id}`)).status).toBe(204);
    expect((await call('PATCH', `/modules/${second.body.data.id}`, { title: 'Gone' })).status).toBe(404);
    expect((await call('POST', `/courses/00000000-0000-4000-8000-000000000000/modules`, { title: 'x' })).status).toBe(404);
  });

  it('adds lessons, reorders them, moves one to another module and deletes one', async () => {
    const course = await buildCourse(call, { lessons: 3 });
    const [a, b, c] = course.lessonIds as [string, string, string];
    const order = [c, a, b];
    const reordered = await call('PUT', `/modules/${course.moduleIds[0]}/lessons/order`, { ids: order });
    expect(reordered.body.data.map((lesson: { id: string }) => lesson.id)).toEqual(order);
    expect((await call('PUT', `/modules/${course.moduleIds[0]}/lessons/order`, { ids: [a, b] })).status).toBe(422);

    const other = await call('POST', `/courses/${course.id}/modules`, { title: 'Other' });
    const moved = await call('PATCH', `/lessons/${a}`, { module_id: other.body.data.id });
    expect(moved.body.data).toMatchObject({ module_id: other.body.data.id, position: 1 });
    const foreign = await buildCourse(call, { lessons: 0 });
    const crossCourse = await call('PATCH', `/lessons/${b}`, { module_id: foreign.moduleIds[0] });
    expect(crossCourse.status).toBe(422);
    expect(crossCourse.body.errors.module_id).toBeDefined();

    expect((await call('DELETE', `/lessons/${c}`)).status).toBe(204);
    expect((await call('GET', `/lessons/${c}`)).status).toBe(404);
  });

  it('stores lesson fields and refuses bad ones', async () => {
    const course = await buildCourse(call, { lessons: 0 });
    const lesson = await call('POST', `/modules/${course.moduleIds[0]}/lessons`, {
      title: 'Video lesson',
      video_url: 'https://video.example/v/1',
      attachments: [{ title: 'Sheet', url: 'https://files.example/sheet.pdf' }],
      duration_seconds: 600,
      free_preview: true,
      drip_days: 3,
      required: false,
    });
    expect(lesson.status).toBe(201);
    expect(lesson.body.data).toMatchObject({
      status: 'draft',
      video_url: 'https://video.example/v/1',
      attachments: [{ title: 'Sheet', url: 'https://files.example/sheet.pdf' }],
      duration_seconds: 600,
      free_preview: true,
      drip_days: 3,
      required: false,
    });
    const bad = [
      {},
      { title: 'x', video_url: 'javascript:alert(1)' },
      { title: 'x', attachments: [{ title: 'a', url: 'javascript:alert(1)' }] },
      { title: 'x', drip_days: -1 },
      { title: 'x', status: 'archived' },
      { title: 'x', duration_seconds: 1.5 },
      { title: 'x', nope: true },
    ];
    for (const body of bad) expect((await call('POST', `/modules/${course.moduleIds[0]}/lessons`, body)).status, JSON.stringify(body)).toBe(422);
    expect((await call('POST', `/modules/00000000-0000-4000-8000-000000000000/lessons`, { title: 'x' })).status).toBe(404);
    expect((await call('PATCH', `/lessons/${lesson.body.data.id}`, { video_url: 'data:text/html,hi' })).status).toBe(422);
  });
});

describe('content sanitisation', () => {
  const cases: [string, string, RegExp][] = [
    ['script tags', '<p>Hi</p><script>alert(1)</script>', /<script|alert/],
    ['event handler attributes', '<p onclick="steal()">Hi</p><img src="https://x.example/a.png" onerror="steal()">', /onclick|onerror|steal/],
    ['javascript: URLs', '<a href="javascript:alert(1)">click</a><a href="JaVaScRiPt:alert(2)">b</a>', /javascript|alert/i],
    ['style and iframes', '<style>body{}</style><iframe src="https://evil.example"></iframe><p>ok</p>', /<style|<iframe/],
  ];
  for (const [what, html, forbidden] of cases) {
    it(`removes ${what} on create and on update`, async () => {
      const course = await buildCourse(call, { lessons: 1 });
      const created = await call('POST', `/modules/${course.moduleIds[0]}/lessons`, { title: 'Dirty', content_html: html });
      expect(created.body.data.content_html).not.toMatch(forbidden);
      const updated = await call('PATCH', `/lessons/${course.lessonIds[0]}`, { content_html: html });
      expect(updated.body.data.content_html).not.toMatch(forbidden);
      const stored = await world.t.sql<{ content_html: string }>('select content_html from lms_lessons where id = $1', [course.lessonIds[0]]);
      expect(stored[0]!.content_html).not.toMatch(forbidden);
    });
  }

  it('keeps ordinary rich text', async () => {
    const course = await buildCourse(call, { lessons: 0 });
    const html = '<h2>Title</h2><p><strong>Bold</strong> and <a href="https://example.org">a link</a></p><ul><li>One</li></ul>';
    const created = await call('POST', `/modules/${course.moduleIds[0]}/lessons`, { title: 'Clean', content_html: html });
    expect(created.body.data.content_html).toBe(html);
  });
});

describe('migrations', () => {
  it('run down and up again', async () => {
    await world.t.checkMigrations('lms');
    expect((await call('GET', '/courses')).status).toBe(200);
  });
});
