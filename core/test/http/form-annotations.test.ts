import { BasisPoints, definePlugin, Money, Ref, RichText, Type, Widget, withStatus } from '@plinth/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineRoute, Reply } from '../../src/index.js';
import { sanitizeRichText } from '../../src/http/form-keywords.js';
import { compileSchema, validate } from '../../src/http/validation.js';
import { validatePlugin } from '../../src/plugins/plugin-registry.js';
import { createTestKernel, type TestKernel } from '../../src/testing/index.js';

// Issue 20: the SDK's form annotations (`x-plinth-widget`, `x-plinth-ref`, `x-plinth-currency-field`) are known to
// the kernel's ajv, kept in the OpenAPI document, and rich text is sanitised as the body is validated.
const Post = Type.Object(
  {
    body: RichText({ title: 'Body' }),
    plain: Type.Optional(Type.String()),
    notes: Type.Optional(Type.Array(RichText())),
    summary: Type.Optional(Type.Union([RichText(), Type.Null()])),
    price: Type.Optional(Money({ title: 'Price', currencyField: 'currency' })),
    currency: Type.Optional(Type.String()),
    category_id: Type.Optional(Ref('/shop/categories', { title: 'Category' })),
  },
  { additionalProperties: false },
);

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel({
    routes: [
      defineRoute({
        method: 'POST',
        path: '/test/posts',
        summary: 'Echoes a post with rich text',
        errors: [],
        public: true,
        schema: { body: Post, response: withStatus(Post, 201) },
        handler: async ({ body }) => Reply.created(body),
      }),
    ],
  });
});
afterAll(async () => {
  await t?.close();
});

const post = (body: Record<string, unknown>) => t.request('POST', '/api/v1/test/posts', { body });

describe('a RichText body', () => {
  it('loses scripts, event handlers and javascript: URLs before the handler sees it', async () => {
    const response = await post({
      body: '<p onclick="steal()">Hi</p><script>alert(1)</script><img src="https://x.example/a.png" onerror="steal()"><a href="javascript:alert(2)">x</a><a href=" JaVaScRiPt:alert(3)">y</a>',
    });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    const { body } = (response.body as { data: { body: string } }).data;
    expect(body).not.toMatch(/script|onclick|onerror|steal|alert|javascript/i);
    expect(body).toBe('<p>Hi</p><img src="https://x.example/a.png" /><a>x</a><a>y</a>');
  });

  it('keeps every allowed element and safe links as they were', async () => {
    const html =
      '<h2>Title</h2><h3>Sub</h3><p><strong>Bold</strong>, <em>it</em>, <u>u</u>, <s>s</s>, <code>x</code><br /></p>' +
      '<ul><li>One</li></ul><ol><li>Two</li></ol><blockquote>Q</blockquote>' +
      '<p><a href="https://example.org/a?b=1&amp;c=2">web</a> <a href="mailto:a@example.org">mail</a></p>' +
      '<figure><img src="https://cdn.example/a.png" alt="A" width="320" /><figcaption>A</figcaption></figure>' +
      '<video src="https://cdn.example/v.mp4" controls poster="https://cdn.example/p.png"><source src="https://cdn.example/v.webm" type="video/webm" /></video>';
    const response = await post({ body: html });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect((response.body as { data: { body: string } }).data.body).toBe(html);
  });

  it('drops attributes and elements outside the subset, keeping their text', () => {
    expect(sanitizeRichText('<div class="x" style="color:red"><span>Text</span></div><iframe src="https://e.example"></iframe>')).toBe('Text');
    expect(sanitizeRichText('<a href="https://e.example" target="_blank" rel="opener">l</a><a href="//e.example">p</a>')).toBe(
      '<a href="https://e.example">l</a><a>p</a>',
    );
    expect(sanitizeRichText('<b>b</b><i>i</i><h1>h</h1>')).toBe('<strong>b</strong><em>i</em><h2>h</h2>');
    // Media only over http(s): no data: or javascript: sources.
    expect(sanitizeRichText('<img src="data:image/png;base64,AAAA" alt="x"><video src="javascript:alert(1)"></video>')).toBe('<img alt="x" /><video></video>');
  });

  it('is sanitised in arrays and unions too, and other strings are left alone', async () => {
    const dirty = '<p>ok</p><script>alert(1)</script>';
    const response = await post({ body: 'x', notes: [dirty, '<em>fine</em>'], summary: dirty, plain: dirty });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    const data = (response.body as { data: Record<string, unknown> }).data;
    expect(data.notes).toEqual(['<p>ok</p>', '<em>fine</em>']);
    expect(data.summary).toBe('<p>ok</p>');
    expect(data.plain).toBe(dirty);
  });

  it('is sanitised in plugin settings too (validated with the same ajv)', () => {
    const Settings = Type.Object({ footer: RichText({ default: '' }) });
    expect(validate(Settings, { footer: '<p onmouseover="x()">Bye</p>' })).toEqual({ footer: '<p>Bye</p>' });
  });

  it('still answers 422 for what the schema refuses', async () => {
    expect((await post({ body: 42 })).status).toBe(422);
    expect((await post({ body: 'x', price: -1 })).status).toBe(422);
    expect((await post({ body: 'x', category_id: 'not-a-uuid' })).status).toBe(422);
  });
});

describe('the form annotations', () => {
  it('are kept in the OpenAPI document', async () => {
    const document = (await t.request('GET', '/api/v1/openapi.json')).body as {
      paths: Record<string, { post: { requestBody: { content: { 'application/json': { schema: { properties: Record<string, unknown> } } } } } }>;
    };
    const properties = document.paths['/api/v1/test/posts']!.post.requestBody.content['application/json'].schema.properties;
    expect(properties.body).toMatchObject({ type: 'string', title: 'Body', 'x-plinth-widget': 'richtext' });
    expect(properties.price).toMatchObject({ type: 'integer', minimum: 0, 'x-plinth-widget': 'money', 'x-plinth-currency-field': 'currency' });
    expect(properties.category_id).toMatchObject({ format: 'uuid', title: 'Category', 'x-plinth-ref': { resource: '/shop/categories' } });
  });

  it('compile with their values checked: a malformed annotation is refused like any bad schema', () => {
    expect(() => compileSchema(Type.Object({ rate: BasisPoints(), color: Widget(Type.String(), 'color') }))).not.toThrow();
    expect(() => compileSchema(Type.Object({ x: Type.String({ 'x-plinth-widget': 'slider' }) }))).toThrow(/x-plinth-widget|schema is invalid/);
    expect(() => compileSchema(Type.Object({ x: Type.String({ 'x-plinth-ref': { label: 'name' } }) }))).toThrow(/x-plinth-ref/);
    expect(() => compileSchema(Type.Object({ x: Type.String({ 'x-plinth-ref': { resource: '/members', lable: 'name' } }) }))).toThrow(/x-plinth-ref/);
  });

  it('leave strict ajv strict: an unknown keyword is still refused', () => {
    expect(() => compileSchema(Type.Object({ x: Type.String({ 'x-plinth-widgit': 'color' }) }))).toThrow(/unknown keyword/);
    expect(() => compileSchema(Type.Object({ x: Type.String({ widget: 'color' }) }))).toThrow(/unknown keyword/);
  });

  it('in a settings schema are checked when the plugin is loaded, naming the plugin', () => {
    const withSettings = (settings: ReturnType<typeof Type.Object>) =>
      definePlugin({ name: 'demo', version: '1.0.0', title: 'Demo', description: 'A demo', category: 'testing', requires: { core: '>=0.1.0' }, settings });
    expect(() => validatePlugin(withSettings(Type.Object({ rate: BasisPoints({ default: 0, title: 'Rate' }) })))).not.toThrow();
    expect(() => validatePlugin(withSettings(Type.Object({ rate: Type.Integer({ default: 0, 'x-plinth-widget': 'percent' }) })))).toThrow(
      /plugin `demo`.*settings.*x-plinth-widget/,
    );
  });
});
