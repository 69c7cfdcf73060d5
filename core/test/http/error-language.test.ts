import { defineErrors } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineRoute, Reply } from '../../src/index.js';
import { errorMessagesAr, errorMessagesEn } from '../../src/http/error-messages.js';
import { translateMessage } from '../../src/http/error-language.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';

// Issue 20, "Languages": API error messages follow Accept-Language where the kernel's catalogue has them; the code never changes.
const testErrors = defineErrors('test', {
  thing_missing: { status: 404, description: 'The thing is missing', translations: { ar: 'الشيء مفقود' } },
});

let t: TestKernel;
let owner: TestUser;
beforeAll(async () => {
  t = await createTestKernel({
    routes: [
      defineRoute({
        method: 'POST',
        path: '/test/languages',
        summary: 'Takes a short name and a count',
        errors: [],
        public: true,
        schema: {
          body: Type.Object(
            { name: Type.String({ minLength: 3, maxLength: 5 }), count: Type.Integer({ minimum: 1 }), email: Type.String({ format: 'email' }) },
            { additionalProperties: false },
          ),
        },
        handler: async ({ body }) => Reply.created(body),
      }),
      defineRoute({
        method: 'GET',
        path: '/test/things/:name',
        summary: 'Throws a catalogued error, translated by its catalogue, or with a message of its own',
        errors: [testErrors.thing_missing],
        public: true,
        schema: { params: Type.Object({ name: Type.String() }) },
        handler: async ({ params }) => {
          throw params.name === 'own' ? testErrors.thing_missing(`No thing named ${params.name}`) : testErrors.thing_missing();
        },
      }),
    ],
  });
  owner = await signUp(t, { tenant: true });
});
afterAll(() => t.close());

const badBody = { name: 'x', count: 0, email: 'nope', extra: true };

describe('Accept-Language on error answers', () => {
  it('answers a 404 in Arabic for ar, the same code, and says the answer varies by language', async () => {
    const english = await t.request('GET', '/api/v1/no-such-thing', { headers: owner.headers });
    const arabic = await t.request('GET', '/api/v1/no-such-thing', { headers: { ...owner.headers, 'accept-language': 'ar' } });
    expect(english.status).toBe(404);
    expect(arabic.status).toBe(404);
    expect(arabic.body.code).toBe(english.body.code);
    expect(english.body.message).toBe('No route for GET /api/v1/no-such-thing');
    expect(arabic.body.message).toBe('لا يوجد مسار لـ GET /api/v1/no-such-thing');
    expect(arabic.headers.get('vary')).toMatch(/accept-language/i);
  });

  it('translates a handler’s not-found message the catalogue knows (Role not found)', async () => {
    const missing = '/api/v1/roles/00000000-0000-4000-8000-000000000000';
    const arabic = await t.request('GET', missing, { headers: { ...owner.headers, 'accept-language': 'ar-EG,ar;q=0.9,en;q=0.5' } });
    expect(arabic.status).toBe(404);
    expect(arabic.body).toMatchObject({ code: 'not_found', message: 'الدور غير موجود' });
  });

  it('answers a validation error with Arabic message and field messages, the same code and fields', async () => {
    const english = await t.request('POST', '/api/v1/test/languages', { body: badBody });
    const arabic = await t.request('POST', '/api/v1/test/languages', { body: badBody, headers: { 'accept-language': 'ar' } });
    expect(english.status).toBe(422);
    expect(arabic.status).toBe(422);
    expect(arabic.body.code).toBe('validation_failed');
    expect(english.body.errors).toEqual({
      name: ['must NOT have fewer than 3 characters'],
      count: ['must be >= 1'],
      email: ['must match format "email"'],
      extra: ['is not allowed'],
    });
    expect(Object.keys(arabic.body.errors).sort()).toEqual(Object.keys(english.body.errors).sort());
    expect(arabic.body.message).toBe('البيانات المرسلة غير صالحة');
    expect(arabic.body.errors).toEqual({
      name: ['يجب ألا يقل عن 3 أحرف'],
      count: ['يجب أن يكون أكبر من 1 أو مساويًا له'],
      email: ['يجب أن يكون عنوان بريد إلكتروني صالحًا'],
      extra: ['غير مسموح'],
    });
  });

  it('answers a 400 (malformed JSON) in Arabic with the same code', async () => {
    const send = (language: string) =>
      fetch(`${t.url}/api/v1/test/languages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'accept-language': language },
        body: '{"name":',
      });
    const [english, arabic] = await Promise.all([send('en'), send('ar')]);
    expect(english.status).toBe(400);
    expect(arabic.status).toBe(400);
    const [englishBody, arabicBody] = [await english.json(), await arabic.json()];
    expect(arabicBody.code).toBe(englishBody.code);
    expect(englishBody.message).toBe('Request body is not valid JSON');
    expect(arabicBody.message).toBe('محتوى الطلب ليس JSON صالحًا');
  });

  it('answers English for a language without a catalogue (fr), and keeps words the catalogue lacks', async () => {
    const french = await t.request('POST', '/api/v1/test/languages', { body: badBody, headers: { 'accept-language': 'fr-FR,fr;q=0.9' } });
    expect(french.body.message).toBe('Validation failed');
    expect(french.body.errors.count).toEqual(['must be >= 1']);
    expect(translateMessage('Your basket is empty', 'ar')).toBeUndefined();
    expect(translateMessage('must be in the future', 'ar')).toBe('يجب أن يكون في المستقبل');
    // `must be {type}` reads only type names: a plugin's `must be a future date` is not mistaken for one.
    expect(translateMessage('must be a future date', 'ar')).toBeUndefined();
    expect(translateMessage('must be integer', 'ar')).toBe('يجب أن يكون عددًا صحيحًا');
    expect(translateMessage('must be one of draft, published', 'ar')).toBe('يجب أن يكون أحد: draft, published');
    expect(translateMessage('must be one of the course modules', 'ar')).toBeUndefined();
  });

  it('answers a plugin’s catalogued error in the language its catalogue gives, and its own message as written', async () => {
    const arabic = await t.request('GET', '/api/v1/test/things/any', { headers: { 'accept-language': 'ar' } });
    expect(arabic.status).toBe(404);
    expect(arabic.body).toMatchObject({ code: 'thing_missing', message: 'الشيء مفقود' });
    const english = await t.request('GET', '/api/v1/test/things/any', { headers: { 'accept-language': 'fr' } });
    expect(english.body).toMatchObject({ code: 'thing_missing', message: 'The thing is missing' });
    const own = await t.request('GET', '/api/v1/test/things/own', { headers: { 'accept-language': 'ar' } });
    expect(own.body).toMatchObject({ code: 'thing_missing', message: 'No thing named own' });
  });

  it('has an Arabic text for every English message, each a valid message', () => {
    expect(Object.keys(errorMessagesAr).sort()).toEqual(Object.keys(errorMessagesEn).sort());
    for (const english of Object.values(errorMessagesEn)) {
      const samples: Record<string, string> = { limit: '2', first: '1', second: '0', type: 'string', method: 'GET', plugin: 'crm', permission: 'crm.view' };
      const sample = english.replace(/\{(\w+)\}/g, (_all, name: string) => samples[name] ?? 'x');
      const arabic = translateMessage(sample, 'ar');
      expect(arabic, english).toBeDefined();
      expect(arabic, english).toMatch(/[\u0600-\u06FF]/);
    }
  });
});
