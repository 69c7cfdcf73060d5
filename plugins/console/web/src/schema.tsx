/**
 * Forms generated from JSON Schema (plugin settings, plugin request bodies): drafts are what the
 * inputs hold; `bodyFrom` turns them back into the JSON the API expects.
 */
import { ApiError } from './api';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  format?: string;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  default?: unknown;
  description?: string;
  title?: string;
  additionalProperties?: boolean | JsonSchema;
  /** A file reference (the SDK's `FileRef`): the field holds a stored file's id and gets an upload widget. */
  'x-plinth-file'?: FileRefOptions;
}

/** What a file reference accepts: media types, the largest size, and whether the upload is public. */
export interface FileRefOptions {
  accept?: string[];
  maxBytes?: number;
  public?: boolean;
}

type Kind = 'text' | 'textarea' | 'number' | 'boolean' | 'select' | 'choices' | 'list' | 'json' | 'file';

/** How a property is edited: its input kind, the choices of a select, whether null is allowed. */
export interface FieldSpec {
  name: string;
  schema: JsonSchema;
  kind: Kind;
  inputType: string;
  options: string[];
  nullable: boolean;
  required: boolean;
}

export type Drafts = Record<string, string | boolean | string[]>;

/** Unwraps `anyOf [X, null]` into X and whether null is allowed. */
export function unwrapNullable(schema: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) {
    const others = variants.filter((variant) => variant.type !== 'null');
    if (others.length === 1 && others.length < variants.length) return { schema: others[0]!, nullable: true };
  }
  if (Array.isArray(schema.type) && schema.type.includes('null')) {
    const rest = schema.type.filter((type) => type !== 'null');
    return { schema: { ...schema, type: rest.length === 1 ? rest[0]! : rest }, nullable: true };
  }
  return { schema, nullable: false };
}

/** The literal choices of an enum or a union of constants, if it is one. */
function choicesOf(schema: JsonSchema): string[] | undefined {
  if (schema.enum) return schema.enum.map(String);
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants?.length && variants.every((variant) => variant.const !== undefined)) return variants.map((variant) => String(variant.const));
  return undefined;
}

const longTextNames = /^(description|body|notes?|content|text|html|message|bio|summary)$/;

/** The field specs of an object schema's properties, in declaration order. */
export function fieldsOf(objectSchema: JsonSchema | undefined): FieldSpec[] {
  const required = new Set(objectSchema?.required ?? []);
  return Object.entries(objectSchema?.properties ?? {}).map(([name, raw]) => {
    const { schema, nullable } = unwrapNullable(raw);
    const type = Array.isArray(schema.type) ? undefined : schema.type;
    const options = choicesOf(schema);
    // A property with a default may be left out: only the others must be filled in.
    const base = { name, schema: raw, nullable, required: required.has(name) && raw.default === undefined, options: options ?? [], inputType: 'text' };
    if (options) return { ...base, kind: 'select' };
    if (type === 'string' && schema['x-plinth-file']) return { ...base, kind: 'file' };
    if (type === 'boolean') return { ...base, kind: 'boolean' };
    if (type === 'integer' || type === 'number') return { ...base, kind: 'number', inputType: 'number' };
    if (type === 'string') {
      if ((schema.maxLength ?? 0) > 300 || (schema.maxLength === undefined && longTextNames.test(name))) return { ...base, kind: 'textarea' };
      const inputType = /password|secret/.test(name)
        ? 'password'
        : (({ email: 'email', uri: 'url', url: 'url', date: 'date' } as Record<string, string>)[schema.format ?? ''] ?? 'text');
      return { ...base, kind: 'text', inputType };
    }
    if (type === 'array' && schema.items) {
      const itemChoices = choicesOf(schema.items);
      if (itemChoices) return { ...base, kind: 'choices', options: itemChoices };
      if (schema.items.type === 'string' || schema.items.type === 'number' || schema.items.type === 'integer') return { ...base, kind: 'list' };
    }
    return { ...base, kind: 'json' };
  });
}

/** Drafts for the fields: from `data` (editing) or the schema defaults (creating). */
export function draftsFor(fields: FieldSpec[], data?: Record<string, unknown>): Drafts {
  const drafts: Drafts = {};
  for (const field of fields) {
    const value = data && field.name in data ? data[field.name] : field.schema.default;
    drafts[field.name] = draftOf(field, value);
  }
  return drafts;
}

function draftOf(field: FieldSpec, value: unknown): string | boolean | string[] {
  switch (field.kind) {
    case 'boolean':
      return value === true;
    case 'choices':
      return Array.isArray(value) ? value.map(String) : [];
    case 'list':
      return Array.isArray(value) ? value.join(', ') : '';
    case 'json':
      return value === undefined || value === null ? '' : JSON.stringify(value, null, 2);
    default:
      return value === undefined || value === null ? '' : String(value);
  }
}

/**
 * The request body from the drafts. Creating: empty optional fields are left out. Editing (`original`
 * given): only fields that changed are sent. Returns field problems found before sending (bad JSON).
 */
export function bodyFrom(
  fields: FieldSpec[],
  drafts: Drafts,
  original?: Record<string, unknown>,
): { body: Record<string, unknown>; problems: Record<string, string[]> } {
  const body: Record<string, unknown> = {};
  const problems: Record<string, string[]> = {};
  for (const field of fields) {
    const draft = drafts[field.name];
    if (original && JSON.stringify(draft) === JSON.stringify(draftOf(field, original[field.name]))) continue;
    const empty = draft === '' || (Array.isArray(draft) && draft.length === 0 && field.kind !== 'choices');
    if (empty) {
      const textLike = field.kind === 'text' || field.kind === 'textarea';
      if (original) {
        // Clearing a field while editing: null where allowed, else an empty value the API may refuse.
        if (field.nullable) body[field.name] = null;
        else if (field.kind === 'list') body[field.name] = [];
        else if (textLike) body[field.name] = '';
      } else if (field.required) {
        if (textLike) body[field.name] = '';
        else problems[field.name] = ['is required'];
      }
      continue;
    }
    try {
      body[field.name] = valueOf(field, draft!);
    } catch (error) {
      problems[field.name] = [(error as Error).message];
    }
  }
  return { body, problems };
}

function valueOf(field: FieldSpec, draft: string | boolean | string[]): unknown {
  const { schema } = unwrapNullable(field.schema);
  switch (field.kind) {
    case 'boolean':
      return draft === true;
    case 'number': {
      const number = Number(draft);
      if (!Number.isFinite(number)) throw new Error('must be a number');
      return number;
    }
    case 'select': {
      const raw = schema.enum ?? (schema.anyOf ?? schema.oneOf ?? []).map((variant) => variant.const);
      return raw.find((choice) => String(choice) === draft) ?? draft;
    }
    case 'choices':
      return draft;
    case 'list': {
      const items = String(draft)
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
      return schema.items?.type === 'string' ? items : items.map(Number);
    }
    case 'json':
      try {
        return JSON.parse(String(draft));
      } catch {
        throw new Error('must be valid JSON');
      }
    default:
      return draft;
  }
}

/** The API's field errors for `field` (also `field.0`, `field.key`), under `prefix` (`settings.`). */
export function fieldErrors(error: unknown, field: string, prefix = ''): string[] {
  if (!(error instanceof ApiError)) return [];
  const key = `${prefix}${field}`;
  return Object.entries(error.errors)
    .filter(([name]) => name === key || name.startsWith(`${key}.`) || name.startsWith(`${key}/`) || name === `/${key}`)
    .flatMap(([name, messages]) => (name === key ? messages : messages.map((message) => `${name.slice(key.length + 1)}: ${message}`)));
}

/** The error keys `SchemaFields` places beside a field (the rest belong in the banner). */
export function placedKeys(error: unknown, fields: FieldSpec[], prefix = ''): string[] {
  if (!(error instanceof ApiError)) return [];
  return Object.keys(error.errors).filter((name) => fields.some((field) => name === `${prefix}${field.name}` || name.startsWith(`${prefix}${field.name}.`)));
}
