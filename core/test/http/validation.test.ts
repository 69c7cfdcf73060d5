import { Type } from '@plinth/sdk';
import { describe, expect, it } from 'vitest';
import { compileSchema, validate } from '../../src/http/validation.js';

const idParams = () => Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });

describe('compileSchema', () => {
  it('shares one validator between schema objects with the same content, per mode', () => {
    const first = idParams();
    const second = idParams();
    expect(second).not.toBe(first);
    expect(compileSchema(second, 'coercing')).toBe(compileSchema(first, 'coercing'));
    expect(compileSchema(second)).toBe(compileSchema(first));
    expect(compileSchema(second, 'change')).toBe(compileSchema(first, 'change'));
    expect(compileSchema(first)).not.toBe(compileSchema(first, 'coercing'));
    expect(compileSchema(first)).not.toBe(compileSchema(first, 'change'));
  });

  it('gives schemas that differ their own validators', () => {
    const short = Type.Object({ name: Type.String({ maxLength: 3 }) });
    const long = Type.Object({ name: Type.String({ maxLength: 300 }) });
    expect(compileSchema(short)).not.toBe(compileSchema(long));
    expect(() => validate(short, { name: 'abcd' })).toThrow();
    expect(validate(long, { name: 'abcd' })).toEqual({ name: 'abcd' });
  });

  it('keeps both modes of one schema: query strings are coerced, bodies are not', () => {
    const schema = Type.Object({ count: Type.Integer() });
    expect(validate(schema, { count: '5' }, { coerce: true })).toEqual({ count: 5 });
    expect(() => validate(schema, { count: '5' })).toThrow();
    expect(validate(schema, { count: '7' }, { coerce: true })).toEqual({ count: 7 });
  });
});
