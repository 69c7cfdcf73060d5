import { ValidationError, type FieldErrors } from '@plinth/sdk';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { addFormKeywords } from './form-keywords.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * Bodies are validated as sent; params and query strings are coerced to the schema's types. `strictNumbers`:
 * NaN and ±Infinity are never numbers (JSON.parse reads `1e309` as Infinity).
 */
const strict = addFormats(new Ajv({ allErrors: true, useDefaults: true, removeAdditional: false, strictNumbers: true }));
const coercing = addFormats(new Ajv({ allErrors: true, useDefaults: true, coerceTypes: 'array', strictNumbers: true }));
// A PATCH body is a change: a field left out stays as it is, whatever `default` its schema gives (a plugin's update
// schema is often `Type.Partial` of its create schema, defaults included).
const change = addFormats(new Ajv({ allErrors: true, useDefaults: false, removeAdditional: false, strictNumbers: true }));
// The SDK's form annotations (`FileRef`, `Money`, `Ref`, `RichText`…): known, never rejecting; rich text is sanitised.
for (const ajv of [strict, coercing, change]) addFormKeywords(ajv);
/** Per mode: each schema object's validator, and the validators by schema content (see `compileSchema`). */
const validators = { strict, coercing, change };
/** How input is validated: `strict` (bodies, defaults filled in), `coercing` (params, query), `change` (PATCH bodies, no defaults). */
export type ValidationMode = keyof typeof validators;
const compiled = {
  strict: new WeakMap<object, ValidateFunction>(),
  coercing: new WeakMap<object, ValidateFunction>(),
  change: new WeakMap<object, ValidateFunction>(),
};
const byContent = { strict: new Map<string, ValidateFunction>(), coercing: new Map<string, ValidateFunction>(), change: new Map<string, ValidateFunction>() };

/** The range of a PostgreSQL `integer` (int4) column: what an `integer` without bounds of its own may hold. */
export const INT4_RANGE = { minimum: -2_147_483_648, maximum: 2_147_483_647 } as const;

/** How deep a request's JSON may nest; deeper input is refused before any handler or the database sees it. */
export const MAX_INPUT_DEPTH = 64;

/**
 * The compiled validator of a schema in a {@link ValidationMode}. Compiled once per mode; routes
 * compile theirs at boot, so a bad schema stops the boot, not a request. Schemas with the same content (plugins
 * declare many equal `{ id }` params and page queries, each its own object) share one validator.
 */
export function compileSchema(schema: object, mode: ValidationMode = 'strict'): ValidateFunction {
  let check = compiled[mode].get(schema);
  if (!check) {
    const bounded = withColumnBounds(schema);
    // JSON leaves out TypeBox's symbol keys, which ajv does not read either.
    const content = JSON.stringify(bounded);
    check = byContent[mode].get(content) ?? validators[mode].compile(bounded);
    byContent[mode].set(content, check);
    compiled[mode].set(schema, check);
  }
  return check;
}

/**
 * Validates `value` against a JSON Schema (TypeBox or plain), throwing 422 with per-field messages. Coerced
 * input (params, query) is also refused when it holds a NUL character, broken Unicode or a non-finite number
 * (bodies are checked for those as they are parsed).
 */
export function validate<T>(schema: object, value: unknown, options: { coerce?: boolean; change?: boolean; location?: string } = {}): T {
  const check = compileSchema(schema, options.coerce ? 'coercing' : options.change ? 'change' : 'strict');
  if (!check(value)) throw new ValidationError(fieldErrors(check.errors ?? [], options.location));
  if (options.coerce) assertSafeInput(value, options.location ?? 'query');
  return value as T;
}

/** ajv errors as the envelope's `errors`: a dotted field path → messages. */
export function fieldErrors(errors: readonly ErrorObject[], location?: string): FieldErrors {
  // No prototype: a field named `__proto__` or `constructor` is a key like any other.
  const result: FieldErrors = Object.create(null) as FieldErrors;
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

const boundedSchemas = new WeakMap<object, object>();
/** Keywords whose values are data, not schemas. */
const dataKeywords = new Set(['default', 'const', 'enum', 'examples', 'example']);

/**
 * A copy of `schema` in which every `integer` without a bound of its own carries the range of an `integer`
 * (int4) column, so a value its column cannot hold is a 422, not a database error. Schemas for `bigint`
 * columns state their bounds. The OpenAPI document shows the same copy.
 *
 * @example
 * ```ts
 * withColumnBounds(Type.Object({ weight_grams: Type.Integer({ minimum: 0 }) }));
 * // { …, properties: { weight_grams: { type: 'integer', minimum: 0, maximum: 2147483647 } } }
 * ```
 */
export function withColumnBounds<T extends object>(schema: T): T {
  let bounded = boundedSchemas.get(schema);
  if (!bounded) {
    bounded = boundNode(schema) as object;
    boundedSchemas.set(schema, bounded);
  }
  return bounded as T;
}

function boundNode(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(boundNode);
  if (node === null || typeof node !== 'object') return node;
  const copy: Record<string | symbol, unknown> = {};
  for (const [key, value] of Object.entries(node)) copy[key] = dataKeywords.has(key) ? value : boundNode(value);
  // TypeBox marks its schemas with symbol keys; keep them so the copy is still a TypeBox schema.
  for (const symbol of Object.getOwnPropertySymbols(node)) copy[symbol] = (node as Record<symbol, unknown>)[symbol];
  if ([copy.type].flat().includes('integer')) {
    if (!('minimum' in copy) && !('exclusiveMinimum' in copy)) copy.minimum = INT4_RANGE.minimum;
    if (!('maximum' in copy) && !('exclusiveMaximum' in copy)) copy.maximum = INT4_RANGE.maximum;
  }
  return copy;
}

/** At most this many problems are reported for one input (a hostile body may hold thousands). */
const MAX_REPORTED = 10;

/**
 * What no field of any request may hold, whatever its schema says: a NUL character or a lone surrogate in a
 * string or key (PostgreSQL refuses both), a `__proto__` key, a non-finite number, nesting deeper than
 * {@link MAX_INPUT_DEPTH}. Returns the problems by dotted field path (`location` for the value itself), or
 * `undefined` when there are none.
 */
export function inputProblems(value: unknown, location: string): FieldErrors | undefined {
  if (isCleanFlatText(value)) return undefined;
  const problems: FieldErrors = Object.create(null) as FieldErrors;
  let count = 0;
  const report = (path: readonly string[], message: string) => {
    const key = path.length > 0 ? path.map((segment) => (segment.length > 64 ? `${segment.slice(0, 64)}…` : segment)).join('.') : location;
    const messages = (problems[key] ??= []);
    if (!messages.includes(message)) messages.push(message);
    count += 1;
  };
  // Iterative, so that no input can exhaust the stack.
  const pending: [unknown, string[]][] = [[value, []]];
  while (pending.length > 0 && count < MAX_REPORTED) {
    const [item, path] = pending.pop()!;
    if (typeof item === 'string') {
      const problem = textProblem(item);
      if (problem) report(path, problem);
    } else if (typeof item === 'number') {
      if (!Number.isFinite(item)) report(path, 'must be a finite number');
    } else if (item !== null && typeof item === 'object') {
      if (path.length >= MAX_INPUT_DEPTH) {
        report(path.slice(0, 1), `must not nest deeper than ${MAX_INPUT_DEPTH} levels`);
        continue;
      }
      if (Array.isArray(item)) {
        for (let index = item.length - 1; index >= 0; index--) pending.push([item[index], [...path, String(index)]]);
        continue;
      }
      for (const [key, child] of Object.entries(item)) {
        const problem = key === '__proto__' ? 'is not allowed' : textProblem(key);
        if (problem) report([...path, key], problem);
        else pending.push([child, [...path, key]]);
      }
    }
  }
  return count > 0 ? problems : undefined;
}

/** Throws 422 with {@link inputProblems}' messages when `value` has any. */
export function assertSafeInput(value: unknown, location: string): void {
  const problems = inputProblems(value, location);
  if (problems) throw new ValidationError(problems);
}

const loneSurrogate = /\p{Surrogate}/u;

/** The common case — a flat object of clean strings (path parameters, most query strings) — checked without allocating. */
function isCleanFlatText(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  for (const key in value) {
    const child = (value as Record<string, unknown>)[key];
    if (typeof child !== 'string' || key === '__proto__' || textProblem(key) || textProblem(child)) return false;
  }
  return true;
}

function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain the NUL character (\\u0000)';
  if (loneSurrogate.test(text)) return 'must be well-formed Unicode (no lone surrogates)';
  return undefined;
}
