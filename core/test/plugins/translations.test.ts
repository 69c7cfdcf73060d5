import { definePermissions, definePlugin, Money, PageQuery, Type, type Plugin } from '@plinth/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translatableStrings, missingTranslations } from '../../src/plugins/plugin-strings.js';
import { PluginError, validatePlugin } from '../../src/plugins/plugin-registry.js';
import { createTestKernel, type TestKernel } from '../../src/testing/index.js';

const permissions = definePermissions('shelf', {
  'items.view': { description: 'See shelf items', grantTo: ['admin', 'member'] },
  'items.manage': { description: 'Change shelf items', grantTo: ['admin'] },
});

const Item = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String({ title: 'Item name', description: 'What the shelf label says' }),
  compare_at_price: Type.Union([Money(), Type.Null()]),
  state: Type.Union([Type.Literal('in_stock'), Type.Literal('sold_out')]),
  variants: Type.Array(Type.Object({ sku: Type.String(), color: Type.String({ enum: ['dark_red', 'blue'] }) })),
});

const shelf = (translations?: Plugin['translations']): Plugin =>
  definePlugin({
    name: 'shelf',
    version: '1.0.0',
    title: 'Shelf',
    description: 'Keeps items on a shelf',
    category: 'demo',
    requires: { core: '>=0.1.0' },
    permissions,
    navigation: [{ label: 'Shelf items', path: '/items', permission: permissions['items.view'] }],
    settings: Type.Object({ shelf_height: Type.Integer({ description: 'In centimetres' }) }),
    ...(translations ? { translations } : {}),
    routes: ({ route }) => [
      route({
        method: 'GET',
        path: '/items',
        summary: 'Every item on the shelf',
        permission: permissions['items.view'],
        schema: { query: Type.Composite([PageQuery, Type.Object({ q: Type.Optional(Type.String()) })]), response: Type.Array(Item) },
        handler: async () => [],
      }),
      route({
        method: 'POST',
        path: '/items/:id/dust-off',
        summary: 'Dust an item off',
        permission: permissions['items.manage'],
        schema: { params: Type.Object({ id: Type.String({ format: 'uuid' }) }), body: Type.Object({ gently: Type.Boolean({ description: 'Without water' }) }) },
        handler: async () => ({}),
      }),
      route({ method: 'GET', path: '/public-list', summary: 'A public list', public: true, handler: async () => ({}) }),
    ],
  });

describe('translatableStrings', () => {
  it('lists what the console shows: identity, menu, permissions, settings, summaries, segments and schema words', () => {
    const strings = translatableStrings(shelf());
    for (const text of [
      'Shelf',
      'Keeps items on a shelf',
      'Shelf items',
      'See shelf items',
      'Shelf height',
      'In centimetres',
      'Every item on the shelf',
      'Items',
      'Item',
      'Dust off',
      'Item name',
      'Without water',
      'What the shelf label says',
      'Compare at price',
      'In stock',
      'Sold out',
      'Variants',
      'Variant',
      'Sku',
      'Dark red',
      'Gently',
      'Q',
    ])
      expect(strings, text).toContain(text);
    // Paging is the console's own; public routes are not console screens; parameters are not words.
    for (const text of ['Page', 'A public list', 'Public list', ':id']) expect(strings).not.toContain(text);
    expect(strings).toEqual([...new Set(strings)]);
  });

  it('missingTranslations names what a language lacks, and nothing once all is translated', () => {
    const english = translatableStrings(shelf());
    const partial = shelf({ ar: { Shelf: 'رف', Items: 'العناصر' } });
    const missing = missingTranslations(partial, 'ar');
    expect(missing).not.toContain('Shelf');
    expect(missing).toContain('Item');
    expect(missing).toHaveLength(english.length - 2);
    const complete = shelf({ ar: Object.fromEntries(english.map((text) => [text, `«${text}»`])) });
    expect(missingTranslations(complete, 'ar')).toEqual([]);
    expect(missingTranslations(complete, 'fr')).toEqual(english);
  });
});

describe('validation at registration', () => {
  it('accepts catalogues in languages the host speaks', () => {
    expect(() => validatePlugin(shelf({ ar: { Shelf: 'رف' }, 'ar-EG': { Shelf: 'رف' } }))).not.toThrow();
  });

  it.each([
    [{ fr: { Shelf: 'Étagère' } }, /translations "fr" is in a language this host does not speak/],
    [{ 'not a tag': { Shelf: 'x' } }, /translations "not a tag" is not a BCP 47 language tag/],
    [{ 'AR-eg': { Shelf: 'رف' } }, /translations "AR-eg" must be written "ar-EG"/],
    [{ ar: { Shelf: '' } }, /translations ar "Shelf" must be a non-empty string/],
    [{ ar: { Shelf: 3 } }, /translations ar "Shelf" must be a non-empty string/],
    [{ ar: { ' ': 'رف' } }, /translations ar has an empty English key/],
    [{ ar: ['رف'] }, /translations "ar" must be an object/],
  ])('refuses %j', (translations, message) => {
    const plugin = shelf(translations as unknown as Plugin['translations']);
    expect(() => validatePlugin(plugin)).toThrow(PluginError);
    expect(() => validatePlugin(plugin)).toThrow(message);
  });
});

describe('GET /api/v1/translations/:language', () => {
  let t: TestKernel;
  beforeAll(async () => {
    t = await createTestKernel({ plugins: [shelf({ ar: { Shelf: 'رف', Items: 'العناصر' }, 'ar-EG': { Items: 'الحاجات' } })] });
  });
  afterAll(() => t.close());

  it('answers every plugin catalogue for a language, without a tenant or sign-in, with an ETag', async () => {
    const response = await t.request('GET', '/api/v1/translations/ar');
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ shelf: { Shelf: 'رف', Items: 'العناصر' } });
    expect(response.headers.get('etag')).toMatch(/^"[\w-]+"$/);
  });

  it('lays a regional catalogue over the language one, and reads any case of the tag', async () => {
    const response = await t.request('GET', '/api/v1/translations/AR-eg');
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ shelf: { Shelf: 'رف', Items: 'الحاجات' } });
    const plain = await t.request('GET', '/api/v1/translations/ar');
    expect(response.headers.get('etag')).not.toBe(plain.headers.get('etag'));
  });

  it('answers a regional tag no plugin has with its language’s catalogue and ETag', async () => {
    const plain = await t.request('GET', '/api/v1/translations/ar');
    for (const tag of ['ar-SA', 'ar-001', 'ar-Latn-XY']) {
      const regional = await t.request('GET', `/api/v1/translations/${tag}`);
      expect(regional.status).toBe(200);
      expect(regional.body.data).toEqual(plain.body.data);
      expect(regional.headers.get('etag')).toBe(plain.headers.get('etag'));
    }
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const first = await t.request('GET', '/api/v1/translations/ar');
    const again = await t.request('GET', '/api/v1/translations/ar', { headers: { 'if-none-match': first.headers.get('etag')! } });
    expect(again.status).toBe(304);
    const stale = await t.request('GET', '/api/v1/translations/ar', { headers: { 'if-none-match': '"stale"' } });
    expect(stale.status).toBe(200);
  });

  it('answers English with nothing to translate', async () => {
    const response = await t.request('GET', '/api/v1/translations/en');
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({});
  });

  it('answers 404 for a language the host does not speak, 422 for what is no language tag', async () => {
    const french = await t.request('GET', '/api/v1/translations/fr');
    expect(french.status).toBe(404);
    expect(french.body).toMatchObject({ code: 'not_found' });
    const garbage = await t.request('GET', '/api/v1/translations/%3Cscript%3E');
    expect(garbage.status).toBe(422);
  });

  it('is described in the OpenAPI document', async () => {
    const document = await t.request('GET', '/api/v1/openapi.json');
    expect(document.body.paths['/api/v1/translations/{language}']?.get).toBeDefined();
  });
});
