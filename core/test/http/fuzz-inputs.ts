/** Inputs for the API fuzz test: a seeded PRNG, values sampled from JSON Schemas, and hostile variants of them. */

/** A JSON Schema as the OpenAPI document shows it (the parts the sampler reads). */
export interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  patternProperties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
}

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export function prng(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!,
    sample: <T>(items: readonly T[], count: number) => {
      const copy = [...items];
      for (let index = copy.length - 1; index > 0; index--) {
        const other = int(0, index);
        [copy[index], copy[other]] = [copy[other]!, copy[index]!];
      }
      return copy.slice(0, count);
    },
    uuid: () => {
      const hex = Array.from({ length: 32 }, () => int(0, 15).toString(16)).join('');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
    },
  };
}

export interface Random {
  next(): number;
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  sample<T>(items: readonly T[], count: number): T[];
  uuid(): string;
}

/** Values a `pattern` is tried with, first match wins (a sampler for regular expressions would be overkill). */
const patternCandidates = [
  'fuzz-slug',
  'abc',
  'ABC',
  'USD',
  'a',
  'a1',
  '1',
  'shop.order.paid',
  'shop.*',
  '*',
  '#112233',
  '12:30',
  '2026-05-01',
  'ck_abcdefgh1234',
  'cs_abcdefgh1234',
  'fuzz.example.com',
  '+15555550100',
  'en',
  'en-US',
  'Europe/Paris',
];

/** Matches a uuid. */
export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids the run created, by the collection they were created in (`products`, `modules`, …). */
export type IdPool = Map<string, string[]>;

/**
 * A value that satisfies `schema` as far as the sampler can tell; `name` (the property) steers plain strings.
 * `extreme`: numbers at their largest allowed value (the int4 maximum when unbounded), to find overflows in what
 * handlers compute from them.
 */
export function sampleValue(schema: Schema, random: Random, pool: IdPool, name = '', depth = 0, extreme = false): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return random.pick(schema.enum);
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) {
    const usable = branches.filter((branch) => branch.type !== 'null');
    return sampleValue(random.pick(usable.length > 0 ? usable : branches), random, pool, name, depth, extreme);
  }
  if (schema.allOf) return sampleValue(Object.assign({}, ...schema.allOf) as Schema, random, pool, name, depth, extreme);
  const type = [schema.type ?? (schema.properties ? 'object' : 'string')].flat().find((candidate) => candidate !== 'null') ?? 'null';
  switch (type) {
    case 'string':
      return sampleString(schema, random, pool, name);
    case 'integer':
    case 'number': {
      if (extreme) return schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : 2_147_483_647);
      const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 0);
      const max = Math.min(schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : min + 100), min + 1000);
      return random.int(Math.ceil(min), Math.floor(max));
    }
    case 'boolean':
      return random.next() < 0.5;
    case 'array': {
      const count = Math.min(schema.minItems ?? 0, 50) + (depth < 3 ? random.int(0, 2) : 0);
      const capped = Math.min(count, schema.maxItems ?? count);
      const items = Array.from({ length: capped }, () => sampleValue(schema.items ?? {}, random, pool, name, depth + 1, extreme));
      return schema.uniqueItems ? [...new Map(items.map((item) => [JSON.stringify(item), item])).values()] : items;
    }
    case 'object': {
      const result: Record<string, unknown> = {};
      for (const [key, property] of Object.entries(schema.properties ?? {})) {
        const wanted = schema.required?.includes(key) || (depth < 3 && random.next() < 0.5) || Object.keys(result).length < (schema.minProperties ?? 0);
        if (wanted) result[key] = sampleValue(property, random, pool, key, depth + 1, extreme);
      }
      return result;
    }
    default:
      return null;
  }
}

function sampleString(schema: Schema, random: Random, pool: IdPool, name: string): string {
  const format = schema.format;
  if (format === 'uuid') {
    // `variant_id` names an id of `variants`: use one the run created when there is one.
    const base = name.replace(/_ids?$/, '');
    const named = [`${base}s`, `${base.replace(/y$/, 'ie')}s`, `${base}es`].map((key) => pool.get(key)).find((found) => found && found.length > 0);
    if (named && random.next() < 0.9) return random.pick(named);
    const ids = [...pool.values()].flat().filter((id) => uuidPattern.test(id));
    return ids.length > 0 && random.next() < 0.7 ? random.pick(ids) : random.uuid();
  }
  if (format === 'email' || /email/.test(name)) return `fuzz-${random.int(1, 1e9)}@example.test`;
  if (format === 'date-time' || /_at$/.test(name)) return new Date(Date.UTC(2026, random.int(0, 11), random.int(1, 28))).toISOString();
  if (format === 'date') return `2026-0${random.int(1, 9)}-1${random.int(0, 9)}`;
  if (format === 'uri' || format === 'url' || /url$/.test(name)) return `https://example.com/fuzz/${random.int(1, 1e6)}`;
  if (schema.pattern) {
    const pattern = new RegExp(schema.pattern, 'u');
    const fits = (text: string) => pattern.test(text) && text.length >= (schema.minLength ?? 0) && text.length <= (schema.maxLength ?? Infinity);
    const match = patternCandidates.find(fits);
    if (match) return match;
  }
  const min = schema.minLength ?? 0;
  const max = Math.min(schema.maxLength ?? 24, Math.max(min, 24));
  const text = `fuzz ${name} ${random.int(1, 1e6)}`.replace(/[^a-z0-9 ]/gi, '');
  return text.padEnd(min, 'x').slice(0, Math.max(max, min));
}

/** A hostile input: a name for the report and the request body (a string is sent as the raw JSON text). */
export interface Case {
  label: string;
  body?: unknown;
  query?: string;
  path?: string;
}

const MEGABYTE = 1_000_000;

/** Nests `leaf` `depth` levels deep in arrays, as raw JSON text (JSON.stringify would recurse as deep). */
export function nestedJson(depth: number, leaf = '1'): string {
  return `${'['.repeat(depth)}${leaf}${']'.repeat(depth)}`;
}

/** Raw JSON text of `base` with `entries` appended as raw `"key": value` members (values JSON.stringify cannot write). */
export function withRawMembers(base: Record<string, unknown>, entries: Record<string, string>): string {
  const members = [
    ...Object.entries(base).map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`),
    ...Object.entries(entries).map(([key, value]) => `${JSON.stringify(key)}:${value}`),
  ];
  return `{${members.join(',')}}`;
}

/** The hostile bodies for one operation's body schema, given a valid-looking `valid` body. */
export function bodyCases(schema: Schema, valid: Record<string, unknown>, random: Random): Case[] {
  const properties = Object.entries(schema.properties ?? {});
  const strings = properties.filter(([, property]) => typeOf(property) === 'string').map(([key]) => key);
  const numbers = properties.filter(([, property]) => ['integer', 'number'].includes(typeOf(property))).map(([key]) => key);
  const anyField = properties.map(([key]) => key);
  const cases: Case[] = [
    { label: 'array instead of object', body: [] },
    { label: 'string instead of object', body: '"text"' },
    { label: 'number instead of object', body: '12' },
    { label: 'null body', body: 'null' },
    { label: 'empty object', body: {} },
    { label: 'unknown field', body: { ...valid, zz_unknown_field: 1 } },
    { label: '__proto__ key', body: withRawMembers(valid, { ['__proto__']: '{"polluted":true}' }) },
    { label: 'constructor.prototype key', body: withRawMembers(valid, { constructor: '{"prototype":{"polluted":true}}' }) },
    { label: 'toString / hasOwnProperty keys', body: withRawMembers(valid, { toString: '1', hasOwnProperty: '"x"', valueOf: '{}' }) },
    { label: 'NUL in a key', body: withRawMembers(valid, { 'a\u0000b': '1' }) },
    { label: 'depth-1000 nesting at the root', body: nestedJson(1000) },
    { label: 'depth-100000 nesting at the root', body: nestedJson(100_000) },
    { label: 'invalid JSON', body: '{"a":' },
  ];
  for (const key of random.sample(strings, 2)) {
    cases.push({ label: `NUL in ${key}`, body: { ...valid, [key]: 'a\u0000b' } });
    cases.push({ label: `lone surrogate in ${key}`, body: { ...valid, [key]: 'a\ud800b' } });
    cases.push({ label: `1 MB string in ${key}`, body: { ...valid, [key]: 'x'.repeat(MEGABYTE) } });
  }
  for (const key of random.sample(numbers, 2)) {
    for (const number of ['1e308', '1e309', '-1e309', '2147483648'])
      cases.push({ label: `${number} in ${key}`, body: withRawMembers(without(valid, key), { [key]: number }) });
  }
  for (const key of random.sample(anyField, 3)) {
    const wrong = typeOf(schema.properties![key]!) === 'string' ? random.pick([123, true, [], {}, null]) : random.pick(['text', [], {}, true]);
    cases.push({ label: `wrong type in ${key}`, body: { ...valid, [key]: wrong } });
    cases.push({ label: `depth-1000 nesting in ${key}`, body: withRawMembers(without(valid, key), { [key]: nestedJson(1000, '{}') }) });
  }
  for (const key of random.sample(schema.required ?? [], 2)) cases.push({ label: `missing ${key}`, body: without(valid, key) });
  // Free-form maps (metadata, custom fields, settings) take any key: hostile ones inside them.
  const maps = properties.filter(([, property]) => typeOf(property) === 'object' && (property.patternProperties || !property.properties)).map(([key]) => key);
  for (const key of maps) {
    const rest = without(valid, key);
    cases.push(
      {
        label: `prototype keys in ${key}`,
        body: withRawMembers(rest, { [key]: '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}' }),
      },
      { label: `constructor keys in ${key}`, body: withRawMembers(rest, { [key]: '{"constructor":"x","toString":"y","hasOwnProperty":"z","valueOf":"w"}' }) },
      { label: `NUL key in ${key}`, body: withRawMembers(rest, { [key]: '{"a\\u0000b":"x"}' }) },
      { label: `non-finite number in ${key}`, body: withRawMembers(rest, { [key]: '{"n":1e309}' }) },
    );
  }
  return cases;
}

/** Bodies sent to operations that take none: what the body parser refuses, whatever the route. */
export const bodilessCases: Case[] = [
  { label: '__proto__ key', body: '{"__proto__":{"polluted":true}}' },
  { label: 'NUL in a string', body: '{"a":"\\u0000"}' },
  { label: 'lone surrogate', body: '{"a":"\\ud800"}' },
  { label: 'non-finite number', body: '{"a":1e309}' },
  { label: 'depth-1000 nesting', body: nestedJson(1000) },
];

function without(value: Record<string, unknown>, key: string): Record<string, unknown> {
  const copy = { ...value };
  delete copy[key];
  return copy;
}

function typeOf(schema: Schema): string {
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) return typeOf(branches.find((branch) => branch.type !== 'null') ?? {});
  return [schema.type ?? ''].flat().find((type) => type !== 'null') ?? '';
}
