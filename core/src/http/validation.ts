import { ValidationError, type FieldErrors } from '@plinth/sdk';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Bodies are validated as sent; params and query strings are coerced to the schema's types. */
const strict = addFormats(new Ajv({ allErrors: true, useDefaults: true, removeAdditional: false }));
const coercing = addFormats(new Ajv({ allErrors: true, useDefaults: true, coerceTypes: 'array' }));
const compiled = new WeakMap<object, ValidateFunction>();

/** The compiled validator of a schema (compiled once; routes compile theirs at boot, so a bad schema stops the boot, not a request). */
export function compileSchema(schema: object, coerce = false): ValidateFunction {
  let check = compiled.get(schema);
  if (!check || (check as { coerce?: boolean }).coerce !== coerce) {
    check = (coerce ? coercing : strict).compile(schema);
    (check as { coerce?: boolean }).coerce = coerce;
    compiled.set(schema, check);
  }
  return check;
}

/** Validates `value` against a JSON Schema (TypeBox or plain), throwing 422 with per-field messages. */
export function validate<T>(schema: object, value: unknown, options: { coerce?: boolean; location?: string } = {}): T {
  const check = compileSchema(schema, options.coerce);
  if (check(value)) return value as T;
  throw new ValidationError(fieldErrors(check.errors ?? [], options.location));
}

/** ajv errors as the envelope's `errors`: a dotted field path → messages. */
export function fieldErrors(errors: readonly ErrorObject[], location?: string): FieldErrors {
  const result: FieldErrors = {};
  for (const error of errors) {
    let path = error.instancePath.slice(1).replaceAll('/', '.');
    let message = error.message ?? 'is invalid';
    if (error.keyword === 'required') {
      path = [path, (error.params as { missingProperty: string }).missingProperty].filter(Boolean).join('.');
      message = 'is required';
    } else if (error.keyword === 'additionalProperties') {
      path = [path, (error.params as { additionalProperty: string }).additionalProperty].filter(Boolean).join('.');
      message = 'is not allowed';
    } else if (error.keyword === 'enum') {
      message = `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ')}`;
    }
    const key = path || location || 'body';
    const messages = (result[key] ??= []);
    if (!messages.includes(message)) messages.push(message);
  }
  return result;
}
