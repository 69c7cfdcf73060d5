import { describe, expect, it } from 'vitest';
import { NewProduct } from '../../shop/src/routes/schemas.js';
import { ShopSettings } from '../../shop/src/settings.js';
import { isoToLocalInput, localInputToIso, moneyDraft, moneyValue, parseJson, percentDraft, percentValue } from '../web/src/fields/convert.js';
import {
  bodyFrom,
  claimedBy,
  draftsFor,
  errorsUnder,
  fieldsOf,
  messagesAt,
  placedErrorKeys,
  type Drafts,
  type FieldSpec,
  type JsonSchema,
  type RowDraft,
} from '../web/src/fields/model.js';

const uuid = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
const tenant = { currency: 'USD', timeZone: 'Europe/Berlin' };

describe('money', () => {
  it('converts minor units with the currency digits, both ways and exactly', () => {
    expect(moneyDraft(1250, 2)).toBe('12.50');
    expect(moneyDraft(5, 2)).toBe('0.05');
    expect(moneyDraft(-1999, 2)).toBe('-19.99');
    expect(moneyDraft(500, 0)).toBe('500');
    expect(moneyDraft(1234, 3)).toBe('1.234');
    expect(moneyValue('12.5', 2)).toBe(1250);
    expect(moneyValue('0.29', 2)).toBe(29); // 0.29 * 100 is 28.999… in floating point
    expect(moneyValue('1.005', 2)).toBeUndefined();
    expect(moneyValue('500', 0)).toBe(500);
    expect(moneyValue('500.5', 0)).toBeUndefined();
    expect(moneyValue('1.234', 3)).toBe(1234);
    expect(moneyValue('1,5', 3)).toBe(1500);
    expect(moneyValue('١٢٫٥', 2)).toBe(1250);
    expect(moneyValue('12a', 2)).toBeUndefined();
    expect(moneyValue('.', 2)).toBeUndefined();
  });

  it('types amounts in the tenant currency, or in the sibling currency field', () => {
    const schema: JsonSchema = {
      type: 'object',
      required: ['price'],
      properties: {
        price: { type: 'integer', 'x-plinth-widget': 'money' },
        fee: { type: 'integer', 'x-plinth-widget': 'money', 'x-plinth-currency-field': 'currency' },
        currency: { type: 'string' },
      },
    };
    const fields = fieldsOf(schema, { currency: 'KWD', timeZone: 'UTC' });
    expect(fields.map((field) => field.kind)).toEqual(['money', 'money', 'text']);
    const drafts = draftsFor(fields, { price: 1234, fee: 500, currency: 'JPY' });
    expect(drafts).toMatchObject({ price: '1.234', fee: '500' });
    expect(bodyFrom(fields, { price: '2.5', fee: '700', currency: 'JPY' }).body).toEqual({ price: 2500, fee: 700, currency: 'JPY' });
    const { problems } = bodyFrom(fields, { price: '2.5001', fee: '7.5', currency: 'JPY' });
    expect(problems).toEqual({ price: ['money:3'], fee: ['money:0'] });
    expect(bodyFrom(fields, { price: '', fee: '', currency: '' }).problems).toEqual({ price: ['required'] });
  });
});

describe('basis points', () => {
  it('shows a percentage and stores basis points', () => {
    expect(percentDraft(1250)).toBe('12.5');
    expect(percentDraft(700)).toBe('7');
    expect(percentDraft(5)).toBe('0.05');
    expect(percentValue('12.5')).toBe(1250);
    expect(percentValue('7 %')).toBe(700);
    expect(percentValue('12.345')).toBeUndefined();
    const fields = fieldsOf({ type: 'object', properties: { tax_rate_bps: { type: 'integer', 'x-plinth-widget': 'basis-points', default: 1500 } } });
    expect(fields[0]!.kind).toBe('percent');
    expect(draftsFor(fields)).toEqual({ tax_rate_bps: '15' });
    expect(bodyFrom(fields, { tax_rate_bps: '8.25' }).body).toEqual({ tax_rate_bps: 825 });
  });
});

describe('date-time in the tenant time zone', () => {
  it('reads wall-clock times in the zone, across daylight saving changes', () => {
    // Berlin moves from UTC+1 to UTC+2 at 02:00 on 29 March 2026.
    expect(localInputToIso('2026-03-29T01:30', 'Europe/Berlin')).toBe('2026-03-29T00:30:00.000Z');
    expect(localInputToIso('2026-03-29T03:30', 'Europe/Berlin')).toBe('2026-03-29T01:30:00.000Z');
    // 02:30 does not exist that night: read with the winter offset, it is 03:30 summer time.
    expect(localInputToIso('2026-03-29T02:30', 'Europe/Berlin')).toBe('2026-03-29T01:30:00.000Z');
    // New York: 01:30 happens twice on 1 November 2026; the first (EDT, UTC-4) is taken.
    expect(localInputToIso('2026-11-01T01:30', 'America/New_York')).toBe('2026-11-01T05:30:00.000Z');
    expect(localInputToIso('2026-11-01T03:00', 'America/New_York')).toBe('2026-11-01T08:00:00.000Z');
    expect(localInputToIso('2026-07-01T09:15', 'Asia/Kolkata')).toBe('2026-07-01T03:45:00.000Z');
    expect(localInputToIso('2026-02-30T10:00', 'UTC')).toBeUndefined();
    expect(localInputToIso('tomorrow', 'UTC')).toBeUndefined();
  });

  it('shows instants as wall-clock times in the zone', () => {
    expect(isoToLocalInput('2026-07-01T10:00:00Z', 'Europe/Berlin')).toBe('2026-07-01T12:00');
    expect(isoToLocalInput('2026-01-15T10:00:00.000Z', 'Europe/Berlin')).toBe('2026-01-15T11:00');
    expect(isoToLocalInput('2026-12-31T23:30:00Z', 'Asia/Tokyo')).toBe('2027-01-01T08:30');
    expect(isoToLocalInput('2026-11-01T06:30:00Z', 'America/New_York')).toBe('2026-11-01T01:30');
  });

  it('round-trips through the form, and an untouched value with seconds is not sent again', () => {
    const fields = fieldsOf(
      { type: 'object', properties: { starts_at: { type: 'string', format: 'date-time' }, day: { type: 'string', format: 'date' } } },
      tenant,
    );
    expect(fields.map((field) => field.kind)).toEqual(['datetime', 'date']);
    const original = { starts_at: '2026-10-25T00:30:45.123Z', day: '2026-10-25' };
    const drafts = draftsFor(fields, original);
    expect(drafts).toEqual({ starts_at: '2026-10-25T02:30', day: '2026-10-25' });
    expect(bodyFrom(fields, drafts, original).body).toEqual({});
    expect(bodyFrom(fields, { ...drafts, starts_at: '2026-10-25T09:00' }, original).body).toEqual({ starts_at: '2026-10-25T08:00:00.000Z' });
    expect(bodyFrom(fields, { ...drafts, starts_at: '2026-10-25' }, original).problems).toEqual({ starts_at: ['datetime'] });
  });
});

describe('inference', () => {
  it('chooses a widget from the annotations, then from type, format and enum', () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: {
        status: { type: 'string', enum: ['draft', 'published'] },
        country: { type: 'string', enum: ['EG', 'SA', 'AE', 'KW', 'QA', 'JO'] },
        level: {
          anyOf: [
            { const: 'low', title: 'Low' },
            { const: 'high', title: 'High' },
          ],
        },
        visible: { type: 'boolean', default: false },
        colour: { type: 'string', 'x-plinth-widget': 'color' },
        phone: { type: 'string', 'x-plinth-widget': 'phone' },
        email: { type: 'string', format: 'email' },
        site: { type: 'string', format: 'uri' },
        body: { type: 'string', 'x-plinth-widget': 'richtext' },
        notes: { type: 'string' },
        external_id: { type: 'string', format: 'uuid' },
        category_id: { anyOf: [{ type: 'string', format: 'uuid', 'x-plinth-ref': { resource: '/shop/categories' } }, { type: 'null' }] },
        instructor_ids: { type: 'array', items: { type: 'string', format: 'uuid', 'x-plinth-ref': { resource: '/members', value: 'user_id' } } },
        tags: { type: 'array', items: { type: 'string' } },
        days: { type: 'array', items: { type: 'string', enum: ['mon', 'tue'] } },
        seo: { type: 'object', properties: { title: { type: 'string' } } },
        variants: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' } } } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        theme: {},
        secret_token: { type: 'string', 'x-plinth-widget': 'hidden' },
        created_at: { type: 'string', format: 'date-time', readOnly: true },
      },
    };
    const fields = fieldsOf(schema);
    expect(Object.fromEntries(fields.map((field) => [field.name, field.kind]))).toEqual({
      status: 'segmented',
      country: 'select',
      level: 'segmented',
      visible: 'boolean',
      colour: 'color',
      phone: 'text',
      email: 'text',
      site: 'text',
      body: 'richtext',
      notes: 'textarea',
      external_id: 'text',
      category_id: 'ref',
      instructor_ids: 'refs',
      tags: 'list',
      days: 'choices',
      seo: 'object',
      variants: 'rows',
      labels: 'map',
      theme: 'json',
      secret_token: 'hidden',
      created_at: 'datetime',
    });
    const byName = Object.fromEntries(fields.map((field) => [field.name, field]));
    expect([byName.phone!.inputType, byName.email!.inputType, byName.site!.inputType]).toEqual(['tel', 'email', 'url']);
    // However long a link may be, it is one line: LMS's video link allows 2,000 characters.
    const video = fieldsOf({ type: 'object', properties: { video_url: { anyOf: [{ type: 'string', format: 'uri', maxLength: 2000 }, { type: 'null' }] } } });
    expect(video[0]).toMatchObject({ kind: 'text', inputType: 'url' });
    expect(byName.level!.optionLabels).toEqual({ low: 'Low', high: 'High' });
    expect(byName.category_id!).toMatchObject({ nullable: true, ref: { resource: '/shop/categories' } });
    expect(byName.instructor_ids!.ref).toEqual({ resource: '/members', value: 'user_id' });
    expect(byName.created_at!.readOnly).toBe(true);
    expect(byName.external_id!.label).toBe('External id');
  });

  it('starts switches at the schema default, and at the record value when editing', () => {
    const fields = fieldsOf({ type: 'object', properties: { visible: { type: 'boolean', default: true }, pinned: { type: 'boolean', default: false } } });
    expect(draftsFor(fields)).toEqual({ visible: true, pinned: false });
    expect(bodyFrom(fields, draftsFor(fields)).body).toEqual({ visible: true, pinned: false });
    const original = { visible: false, pinned: true };
    expect(draftsFor(fields, original)).toEqual(original);
    expect(bodyFrom(fields, { visible: true, pinned: true }, original).body).toEqual({ visible: true });
  });
});

const productSchema: JsonSchema = {
  type: 'object',
  required: ['name', 'variants'],
  properties: {
    name: { type: 'string', minLength: 1 },
    category_id: { anyOf: [{ type: 'string', format: 'uuid', 'x-plinth-ref': { resource: '/shop/categories' } }, { type: 'null' }] },
    seo: {
      type: 'object',
      properties: { title: { type: 'string' }, description: { type: 'string', maxLength: 160 }, indexed: { type: 'boolean', default: true } },
    },
    variants: {
      type: 'array',
      items: {
        type: 'object',
        required: ['sku', 'price'],
        properties: {
          sku: { type: 'string' },
          price: { type: 'integer', 'x-plinth-widget': 'money' },
          stock: { type: 'integer', default: 0 },
          options: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
    },
    tags: { type: 'array', items: { type: 'string' } },
    id: { type: 'string', format: 'uuid', readOnly: true },
  },
};

describe('nested objects and arrays', () => {
  const fields = fieldsOf(productSchema, tenant);
  const original = {
    id: uuid(9),
    name: 'Mug',
    category_id: uuid(1),
    seo: { title: 'A mug', indexed: false },
    variants: [
      { sku: 'MUG-S', price: 1200, stock: 3, options: { size: 'S' } },
      { sku: 'MUG-L', price: 1500, stock: 0, options: { size: 'L', colour: 'blue' } },
    ],
    tags: ['kitchen', 'gift'],
  };

  it('round-trips a record: nothing changed, nothing sent', () => {
    const drafts = draftsFor(fields, original);
    expect((drafts.variants as RowDraft[]).map((row) => row.drafts.price)).toEqual(['12.00', '15.00']);
    expect(bodyFrom(fields, drafts, original)).toEqual({ body: {}, problems: {} });
  });

  it('sends a changed array or object whole, and only that property', () => {
    const drafts = draftsFor(fields, original);
    const rows = drafts.variants as RowDraft[];
    const changed: Drafts = { ...drafts, variants: [rows[0]!, { ...rows[1]!, drafts: { ...rows[1]!.drafts, price: '16.5' } }] };
    expect(bodyFrom(fields, changed, original).body).toEqual({
      variants: [
        { sku: 'MUG-S', price: 1200, stock: 3, options: { size: 'S' } },
        { sku: 'MUG-L', price: 1650, stock: 0, options: { size: 'L', colour: 'blue' } },
      ],
    });
    // Moving rows is a change; their keys are not.
    expect(bodyFrom(fields, { ...drafts, variants: [rows[1]!, rows[0]!] }, original).body.variants).toEqual([original.variants[1], original.variants[0]]);
    expect(bodyFrom(fields, { ...drafts, seo: { ...(drafts.seo as Drafts), title: 'Mug' } }, original).body).toEqual({ seo: { title: 'Mug', indexed: false } });
    expect(bodyFrom(fields, { ...drafts, tags: ['gift'], category_id: '' }, original).body).toEqual({ tags: ['gift'], category_id: null });
  });

  it('creates with only what is filled, plus defaults', () => {
    const drafts = draftsFor(fields);
    expect(drafts).toMatchObject({ name: '', category_id: '', variants: [], tags: [], seo: { title: '', description: '', indexed: true } });
    const row = (sku: string, price: string): RowDraft => ({ key: sku, drafts: { sku, price, stock: '0', options: [] } });
    const filled: Drafts = { ...drafts, name: 'Mug', variants: [row('MUG-S', '12'), row('MUG-L', '15.5')] };
    expect(bodyFrom(fields, filled)).toEqual({
      body: {
        name: 'Mug',
        variants: [
          { sku: 'MUG-S', price: 1200, stock: 0 },
          { sku: 'MUG-L', price: 1550, stock: 0 },
        ],
      },
      problems: {},
    });
    // A group left as it was is not sent; a switch turned off in it is.
    expect(bodyFrom(fields, { ...filled, seo: { title: '', description: '', indexed: false } }).body.seo).toEqual({ indexed: false });
  });

  it('reports problems at the nested path the API uses', () => {
    const drafts: Drafts = {
      ...draftsFor(fields),
      name: 'Mug',
      variants: [
        { key: 'a', drafts: { sku: 'A', price: '1', stock: '2', options: [] } },
        {
          key: 'b',
          drafts: {
            sku: 'B',
            price: '',
            stock: '2.5',
            options: [
              { key: 'x', name: 'size', value: 'S' },
              { key: 'y', name: 'size', value: 'M' },
            ],
          },
        },
      ],
    };
    expect(bodyFrom(fields, drafts).problems).toEqual({
      'variants.1.price': ['required'],
      'variants.1.stock': ['integer'],
      'variants.1.options': ['duplicate-key'],
    });
  });

  it('edits maps as key/value entries', () => {
    const [labels] = fieldsOf({ type: 'object', properties: { labels: { type: 'object', additionalProperties: { type: 'integer' } } } });
    const drafts = draftsFor([labels!], { labels: { a: 1, b: 2 } });
    expect(drafts.labels).toMatchObject([
      { name: 'a', value: '1' },
      { name: 'b', value: '2' },
    ]);
    expect(
      bodyFrom([labels!], {
        labels: [
          { key: 'n', name: ' c ', value: '3' },
          { key: 'm', name: '', value: '' },
        ],
      }).body,
    ).toEqual({ labels: { c: 3 } });
    expect(bodyFrom([labels!], { labels: [{ key: 'n', name: 'c', value: 'three' }] }).problems).toEqual({ 'labels.c': ['number'] });
  });
});

describe('files, records of any values, choice labels', () => {
  it('edits an array of stored files as a list of ids, in order', () => {
    const file = { type: 'string', format: 'uuid', 'x-plinth-file': { accept: ['image/*'] } } as JsonSchema;
    const [images] = fieldsOf({ type: 'object', properties: { image_file_ids: { type: 'array', items: file, title: 'Images' } } });
    expect(images!.kind).toBe('files');
    const original = { image_file_ids: [uuid(1), uuid(2)] };
    const drafts = draftsFor([images!], original);
    expect(bodyFrom([images!], drafts, original).body).toEqual({});
    expect(bodyFrom([images!], { image_file_ids: [uuid(2), uuid(1)] }, original).body).toEqual({ image_file_ids: [uuid(2), uuid(1)] });
  });

  it('reads TypeBox records (patternProperties), values of any kind typed as text', () => {
    const fields = fieldsOf({
      type: 'object',
      properties: {
        attributes: { type: 'object', patternProperties: { '^(.*)$': { type: 'string', maxLength: 200 } } },
        metadata: { type: 'object', patternProperties: { '^(.*)$': {} } },
      },
    });
    expect(fields.map((field) => [field.kind, field.item?.kind])).toEqual([
      ['map', 'text'],
      ['map', 'any'],
    ]);
    const metadata = fields[1]!;
    const original = { metadata: { count: 3, label: 'blue', code: '42', on: true, nested: { a: [1] } } };
    const drafts = draftsFor([metadata], original);
    expect((drafts.metadata as { name: string; value: string }[]).map((entry) => [entry.name, entry.value])).toEqual([
      ['count', '3'],
      ['label', 'blue'],
      ['code', '"42"'],
      ['on', 'true'],
      ['nested', '{"a":[1]}'],
    ]);
    expect(bodyFrom([metadata], drafts, original).body).toEqual({});
    expect(
      bodyFrom([metadata], {
        metadata: [
          { key: 'a', name: 'size', value: 'L' },
          { key: 'b', name: 'count', value: '4' },
        ],
      }).body,
    ).toEqual({
      metadata: { size: 'L', count: 4 },
    });
  });

  it('labels choices for people, keeping codes as they are', () => {
    const [status, country] = fieldsOf({
      type: 'object',
      properties: { status: { type: 'string', enum: ['in_stock', 'sold_out'] }, country: { type: 'string', enum: ['EG', 'SA'] } },
    });
    expect(status!.optionLabels).toEqual({ in_stock: 'In stock', sold_out: 'Sold out' });
    expect(country!.optionLabels).toEqual({ EG: 'EG', SA: 'SA' });
  });
});

describe('fallbacks and hidden values', () => {
  it('parses JSON with the line and column of an error', () => {
    expect(parseJson('{"a": [1, 2]}')).toEqual({ value: { a: [1, 2] } });
    const broken = parseJson('{\n  "a": 1,\n  "b" 2\n}');
    expect(broken).toEqual({ line: 3, column: expect.any(Number) });
    const [theme] = fieldsOf({ type: 'object', properties: { theme: {} } });
    expect(bodyFrom([theme!], { theme: '{\n  "a": 1,\n}' }).problems.theme?.[0]).toMatch(/^json:3:\d+$/);
    expect(bodyFrom([theme!], { theme: '{"colour": "#fff"}' }).body).toEqual({ theme: { colour: '#fff' } });
  });

  it('sends a hidden default on create only, and never a read-only value', () => {
    const fields = fieldsOf({
      type: 'object',
      properties: {
        source: { type: 'string', default: 'console', 'x-plinth-widget': 'hidden' },
        id: { type: 'string', readOnly: true },
        name: { type: 'string' },
      },
    });
    expect(bodyFrom(fields, draftsFor(fields)).body).toEqual({ source: 'console' });
    const original = { source: 'import', id: uuid(1), name: 'A' };
    const drafts = draftsFor(fields, original);
    expect(bodyFrom(fields, { ...drafts, id: uuid(2), name: 'B' }, original).body).toEqual({ name: 'B' });
  });
});

describe('API errors at nested paths', () => {
  const fields = fieldsOf(productSchema, tenant);
  const variants = fields.find((field) => field.name === 'variants')!;
  const rows = draftsFor(fields, {
    variants: [
      { sku: 'A', price: 1 },
      { sku: 'B', price: 2 },
    ],
  }).variants;

  it('shows each message at the input it points to, the rest at the nearest field', () => {
    const errors = {
      'variants.1.price': ['must be >= 0'],
      'variants.7.sku': ['is required'],
      variants: ['must have at least 1 item'],
      'seo.title': ['is too long'],
    };
    expect(messagesAt(errors, 'variants.1.price')).toEqual(['must be >= 0']);
    expect(messagesAt(errors, 'variants', claimedBy(variants, rows))).toEqual(['7.sku: is required', 'must have at least 1 item']);
    const seo = fields.find((field) => field.name === 'seo')!;
    expect(messagesAt(errors, 'seo', claimedBy(seo, undefined))).toEqual([]);
    expect(messagesAt(errors, 'seo.title')).toEqual(['is too long']);
    expect(placedErrorKeys({ ...errors, body: ['bad'] }, fields)).toEqual(['variants.1.price', 'variants.7.sku', 'variants', 'seo.title']);
  });

  it('reads errors under a prefix and JSON pointer paths', () => {
    expect(errorsUnder({ 'settings.tax_rate_bps': ['too big'], '/settings/theme/colour': ['bad'], other: ['x'] }, 'settings.')).toEqual({
      tax_rate_bps: ['too big'],
      'theme.colour': ['bad'],
    });
  });
});

describe('first-party schemas get typed fields, never a JSON box', () => {
  /** Every field's path and kind, nested ones included. */
  const kinds = (fields: FieldSpec[], prefix = ''): [string, string][] =>
    fields.flatMap((field) => [[`${prefix}${field.name}`, field.kind] as [string, string], ...kinds(field.fields, `${prefix}${field.name}.`)]);

  it("the shop's product form", () => {
    const found = Object.fromEntries(kinds(fieldsOf(NewProduct as JsonSchema, tenant)));
    expect(Object.values(found)).not.toContain('json');
    expect(found).toMatchObject({
      description: 'richtext',
      images: 'list',
      image_file_ids: 'files',
      status: 'segmented',
      metadata: 'map',
      category_id: 'ref',
      variants: 'rows',
      'variants.price': 'money',
      'variants.compare_at_price': 'money',
      'variants.attributes': 'map',
      'variants.image_file_id': 'file',
      'variants.stock': 'number',
    });
  });

  it("the shop's settings", () => {
    const found = Object.fromEntries(kinds(fieldsOf(ShopSettings as JsonSchema, tenant)));
    expect(Object.values(found)).not.toContain('json');
    expect(found).toMatchObject({ tax_rate_bps: 'percent', tax_on_shipping: 'boolean', shipping_rates: 'rows', 'shipping_rates.amount': 'money' });
  });
});
