// How generated screens find their way: related records of a record, where a created record lands, which columns identify a row.
import { describe, expect, it } from 'vitest';
import { columnsFor, publicUrlOf, recordTitle } from '../web/src/columns.js';
import { screenFor, type OpenApiDocument, type Operation } from '../web/src/openapi.js';

const list: Operation = { parameters: [{ name: 'page', in: 'query', schema: { type: 'integer' } }] };
const json = (data: object): Operation => ({ responses: { '200': { content: { 'application/json': { schema: { type: 'object', properties: { data } } } } } } });
const body: Operation = { requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { title: { type: 'string' } } } } } } };

/** A school: courses with modules (created under a course, edited at their own address), lessons (own page), a report, a quiz. */
const document: OpenApiDocument = {
  paths: {
    '/api/v1/lms/courses': { get: list, post: body },
    '/api/v1/lms/courses/{id}': { get: {}, patch: body, delete: {} },
    '/api/v1/lms/courses/{id}/modules': { post: body },
    '/api/v1/lms/courses/{id}/enroll': { post: {} },
    '/api/v1/lms/courses/{id}/enrollments': { get: list },
    '/api/v1/lms/courses/{id}/report': { get: json({ type: 'object' }) },
    '/api/v1/lms/courses/{id}/report.csv': { get: { responses: { '200': { content: { 'text/csv': {} } } } } },
    '/api/v1/lms/modules/{id}': { patch: body, delete: {} },
    '/api/v1/lms/modules/{id}/lessons': { post: body },
    '/api/v1/lms/lessons/{id}': { get: {}, patch: body },
    '/api/v1/lms/lessons/{id}/quiz': { get: json({ type: 'object' }), put: body, delete: {} },
  },
};

describe('screenFor', () => {
  it("lists a record's child lists, views and forms that add children, and keeps other POSTs as actions", () => {
    const screen = screenFor(document, '/lms/courses/c1');
    expect(screen.kind).toBe('item');
    if (screen.kind !== 'item') return;
    expect(screen.children).toEqual([
      { label: 'Modules', path: '/lms/courses/c1/modules', kind: 'create' },
      { label: 'Enrollments', path: '/lms/courses/c1/enrollments', kind: 'list' },
      { label: 'Report', path: '/lms/courses/c1/report', kind: 'view' },
    ]);
    expect(screen.actions.map((action) => action.apiPath)).toEqual(['/lms/courses/c1/enroll']);
  });

  it('shows a GET without pagination under a record as a view of that record, editable when it takes a PUT', () => {
    const quiz = screenFor(document, '/lms/lessons/l1/quiz');
    expect(quiz).toMatchObject({ kind: 'item', singleton: true, collectionPath: '/lms/lessons/l1' });
    expect(screenFor(document, '/lms/courses/c1/report')).toMatchObject({ kind: 'item', singleton: true, collectionPath: '/lms/courses/c1' });
  });

  it('lands a created record on its own page: under its list, at its own address, else back on the record it was added to', () => {
    expect(screenFor(document, '/lms/courses')).toMatchObject({ kind: 'collection', createdAt: '/lms/courses', afterCreate: '/lms/courses' });
    // Lessons are created under a module but live at /lms/lessons/<id>.
    expect(screenFor(document, '/lms/modules/m1/lessons')).toMatchObject({ kind: 'collection', createdAt: '/lms/lessons' });
    // Modules have no page of their own: back to the course.
    const modules = screenFor(document, '/lms/courses/c1/modules');
    expect(modules).toMatchObject({ kind: 'collection', afterCreate: '/lms/courses/c1', parentPath: '/lms/courses/c1' });
    expect(modules.kind === 'collection' ? modules.createdAt : 'not a collection').toBeUndefined();
  });
});

describe('columnsFor', () => {
  const currency = () => 'EUR';
  const uuid = '6f1c8a52-8b0e-4f5e-9c38-1f1d0c4b2a11';

  it('leads with the name, never a bare id, then money and state; dates and long text come last', () => {
    const rows = [{ id: uuid, category_id: uuid, created_at: '2026-12-01T10:00:00Z', status: 'active', price: 1250, name: 'Mug', description: 'A mug' }];
    const columns = columnsFor(rows, undefined, [], currency);
    expect(columns.map((column) => column.key)).toEqual(['name', 'price', 'status', 'created_at', 'description']);
    expect(columns.find((column) => column.key === 'price')?.kind).toBe('money');
  });

  it("shows a product's price range and total stock from its variants", () => {
    const rows = [
      {
        id: uuid,
        name: 'Mug',
        variants: [
          { id: uuid, sku: 'S', price: 1250, stock: 3 },
          { id: uuid, sku: 'L', price: 1800, stock: 4 },
        ],
      },
    ];
    const columns = columnsFor(rows, undefined, [], currency);
    expect(columns.map((column) => column.label)).toEqual(['Name', 'Price', 'Stock']);
    expect(columns[1]!.value(rows[0]!)).toEqual([1250, 1800]);
    expect(columns[2]!.value(rows[0]!)).toBe(7);
  });

  it("names a row by the text inside its data when it has none of its own (a bio block's title)", () => {
    const rows = [{ id: uuid, site_id: uuid, type: 'link', position: 1, data: { title: 'My shop', url: 'https://example.com' } }];
    const columns = columnsFor(rows, undefined, [], currency);
    expect(columns[0]!.value(rows[0]!)).toBe('My shop');
    expect(columns.map((column) => column.key)).toContain('type');
    expect(recordTitle(rows[0]!, 'Block')).toBe('My shop');
  });

  it('types columns by the schema: money by its widget and currency field, dates by format', () => {
    const schema = {
      type: 'object',
      properties: {
        title: { type: 'string' },
        fee: { type: 'integer', 'x-plinth-widget': 'money' as const, 'x-plinth-currency-field': 'currency' },
        starts_on: { type: 'string', format: 'date' },
        currency: { type: 'string' },
      },
    };
    const rows = [{ title: 'Workshop', fee: 500, starts_on: '2026-12-24', currency: 'KWD' }];
    const columns = columnsFor(rows, schema, [], currency);
    const fee = columns.find((column) => column.key === 'fee')!;
    expect(fee.kind).toBe('money');
    expect(fee.currency?.(rows[0]!)).toBe('KWD');
    expect(columns.find((column) => column.key === 'starts_on')?.kind).toBe('date');
  });
});

describe('publicUrlOf', () => {
  it('completes a path on this host and keeps absolute addresses; other values are not addresses', () => {
    expect(publicUrlOf('url', '/b/olivia', undefined, 'https://plinth.example')).toBe('https://plinth.example/b/olivia');
    expect(publicUrlOf('checkout_url', 'https://pay.example/c/1')).toBe('https://pay.example/c/1');
    expect(publicUrlOf('homepage', 'https://example.com', { format: 'uri', readOnly: true })).toBe('https://example.com');
    expect(publicUrlOf('homepage', 'https://example.com', { format: 'uri' })).toBeUndefined();
    expect(publicUrlOf('url', '//evil.example/x')).toBeUndefined();
    expect(publicUrlOf('url', 'javascript:alert(1)')).toBeUndefined();
    expect(publicUrlOf('title', 'https://example.com')).toBeUndefined();
  });
});
