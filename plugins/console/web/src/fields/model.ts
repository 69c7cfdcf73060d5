/**
 * Forms generated from JSON Schema (plugin settings, plugin request bodies). `fieldsOf` decides how each property
 * is edited (its kind: money, date-time, a picker, a repeatable sub-form…); drafts are what the inputs hold;
 * `bodyFrom` turns them back into the JSON the API expects. Pure: no DOM, so the tests import it.
 */
import { humanize, singular } from '@plinth/sdk/text';
import { pluginText } from '../plugin-text.js';
import { currencyDigits } from '../format.js';
import { isoToLocalInput, localInputToIso, moneyDraft, moneyValue, parseJson, percentDraft, percentValue, asciiDigits } from './convert.js';

export type Widget =
  'money' | 'basis-points' | 'date' | 'datetime' | 'color' | 'phone' | 'email' | 'url' | 'textarea' | 'richtext' | 'switch' | 'segmented' | 'select' | 'hidden';

/** `x-plinth-ref`: the value references a record of another resource (its paginated list route, without `/api/v1`). */
export interface RefOptions {
  resource: string;
  value?: string;
  label?: string;
  detail?: string;
  search?: string;
}

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
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  default?: unknown;
  examples?: unknown[];
  description?: string;
  title?: string;
  readOnly?: boolean;
  additionalProperties?: boolean | JsonSchema;
  /** TypeBox's `Record(String, X)`: `{ "^(.*)$": X }`. */
  patternProperties?: Record<string, JsonSchema>;
  /** A file reference (the SDK's `FileRef`): the field holds a stored file's id and gets an upload widget. */
  'x-plinth-file'?: FileRefOptions;
  'x-plinth-widget'?: Widget;
  'x-plinth-ref'?: RefOptions;
  /** Money: the sibling property holding the amount's currency code. */
  'x-plinth-currency-field'?: string;
}

/** What a file reference accepts: media types, the largest size, and whether the upload is public. */
export interface FileRefOptions {
  accept?: string[];
  maxBytes?: number;
  public?: boolean;
}

export type Kind =
  | 'text'
  | 'textarea'
  | 'richtext'
  | 'number'
  | 'money'
  | 'percent'
  | 'date'
  | 'datetime'
  | 'color'
  | 'boolean'
  | 'select'
  | 'segmented'
  | 'choices'
  | 'list'
  | 'ref'
  | 'refs'
  | 'object'
  | 'rows'
  | 'map'
  | 'json'
  | 'file'
  | 'files'
  | 'any'
  | 'hidden';

/** The tenant's conventions a form is typed in. */
export interface FieldContext {
  currency: string;
  timeZone: string;
  /** The plugin whose schema this is: its translations give the labels, help and choices (see plugin-text.ts). */
  plugin?: string | undefined;
}

/** How a property is edited: its input kind, choices, sub-fields, whether null is allowed. */
export interface FieldSpec {
  name: string;
  /** The property's schema as declared (maybe `anyOf [X, null]`). */
  schema: JsonSchema;
  /** The schema without its null variant. */
  inner: JsonSchema;
  kind: Kind;
  /** The `type` of a text input: text, email, url, tel, password. */
  inputType: string;
  /** The values of a select, segmented control or choices (as text), and their labels. */
  options: string[];
  optionLabels: Record<string, string>;
  nullable: boolean;
  required: boolean;
  readOnly: boolean;
  /** In the console's language (the plugin's translation of its English). */
  label: string;
  /** What one item of a list is called ("Variant", for rows and files), in the console's language. */
  itemLabel: string;
  hint: string | undefined;
  placeholder: string | undefined;
  /** An object's properties; the properties of each row of an array of objects. */
  fields: FieldSpec[];
  /** The item of a list of scalars, the value of a map's entries. */
  item: FieldSpec | undefined;
  ref: RefOptions | undefined;
  currencyField: string | undefined;
  context: FieldContext;
}

/** A row of a repeatable sub-form: `key` keeps its inputs when rows move. */
export interface RowDraft {
  key: string;
  drafts: Drafts;
}

/** An entry of a key/value editor. */
export interface EntryDraft {
  key: string;
  name: string;
  value: Draft;
}

export type Draft = string | boolean | string[] | Drafts | RowDraft[] | EntryDraft[];
export interface Drafts {
  [name: string]: Draft;
}

/**
 * A problem found before sending, as a message code of the field catalogue: `required`, `number`, `integer`,
 * `money:<digits>`, `percent`, `datetime`, `json:<line>:<column>`, `duplicate-key`.
 */
export type Problem = string;

const defaultContext: FieldContext = { currency: 'USD', timeZone: 'UTC' };

/** `custom_fields` → `Custom fields` (the SDK's: plugins' translations are keyed by these words). */
export { humanize };

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

/** A choice as people read it: `in_stock` → `In stock`; codes (`EG`, `USD`) and numbers as they are. */
function choiceLabel(value: string): string {
  return /[a-z]/.test(value) ? humanize(value) : value;
}

/** The literal choices of an enum or a union of constants, with their titles, if it is one. */
function choicesOf(
  schema: JsonSchema,
  translate: (english: string) => string = (english) => english,
): { options: string[]; labels: Record<string, string> } | undefined {
  const labels: Record<string, string> = {};
  if (schema.enum) {
    const options = schema.enum.filter((value) => value !== null).map(String);
    for (const option of options) labels[option] = translate(choiceLabel(option));
    return { options, labels };
  }
  const variants = (schema.anyOf ?? schema.oneOf)?.filter((variant) => variant.type !== 'null');
  if (variants?.length && variants.every((variant) => variant.const !== undefined)) {
    const options = variants.map((variant) => String(variant.const));
    variants.forEach((variant) => (labels[String(variant.const)] = translate(variant.title ?? choiceLabel(String(variant.const)))));
    return { options, labels };
  }
  return undefined;
}

const longTextNames = /^(description|body|notes?|content|text|message|bio|summary)$/;
const textInputTypes: Record<string, string> = { email: 'email', uri: 'url', url: 'url', phone: 'tel' };
const scalarTypes = new Set(['string', 'number', 'integer']);

/** The field specs of an object schema's properties, in declaration order. */
export function fieldsOf(objectSchema: JsonSchema | undefined, context: FieldContext = defaultContext): FieldSpec[] {
  const required = new Set(objectSchema?.required ?? []);
  return Object.entries(objectSchema?.properties ?? {}).map(([name, raw]) => specOf(name, raw, required.has(name), context));
}

/** The spec of one property. */
export function specOf(name: string, raw: JsonSchema, isRequired: boolean, context: FieldContext = defaultContext): FieldSpec {
  const { schema, nullable } = unwrapNullable(raw);
  const example = raw.examples?.[0] ?? schema.examples?.[0];
  const translate = (english: string) => pluginText(context.plugin, english);
  const englishLabel = raw.title ?? schema.title ?? humanize(name);
  const description = raw.description ?? schema.description;
  const spec: FieldSpec = {
    name,
    schema: raw,
    inner: schema,
    kind: 'json',
    inputType: 'text',
    options: [],
    optionLabels: {},
    nullable,
    // A property with a default may be left out: only the others must be filled in.
    required: isRequired && raw.default === undefined && schema.default === undefined,
    readOnly: raw.readOnly === true || schema.readOnly === true,
    label: translate(englishLabel),
    itemLabel: translate(singular(englishLabel)),
    hint: description === undefined ? undefined : translate(description),
    placeholder: typeof example === 'string' || typeof example === 'number' ? String(example) : undefined,
    fields: [],
    item: undefined,
    ref: schema['x-plinth-ref'],
    currencyField: schema['x-plinth-currency-field'] ?? raw['x-plinth-currency-field'],
    context,
  };
  const type = Array.isArray(schema.type) ? undefined : schema.type;
  const widget = schema['x-plinth-widget'] ?? raw['x-plinth-widget'];
  const choices = choicesOf(schema, translate);
  // The control is chosen from the English words, so that it is the same in every language.
  const englishChoices = choicesOf(schema);
  if (choices) Object.assign(spec, { options: choices.options, optionLabels: choices.labels });

  const kind = ((): Kind => {
    if (widget === 'hidden') return 'hidden';
    if (type === 'string' && schema['x-plinth-file']) return 'file';
    if (type === 'string' && spec.ref) return 'ref';
    if (choices) {
      if (widget === 'select') return 'select';
      const short = choices.options.length <= 4 && choices.options.every((option) => (englishChoices?.labels[option] ?? option).length <= 16);
      return widget === 'segmented' || (widget === undefined && short) ? 'segmented' : 'select';
    }
    switch (widget) {
      case 'money':
        return 'money';
      case 'basis-points':
        return 'percent';
      case 'date':
        return 'date';
      case 'datetime':
        return 'datetime';
      case 'color':
        return 'color';
      case 'textarea':
        return 'textarea';
      case 'richtext':
        return 'richtext';
      case 'switch':
        return 'boolean';
      case 'phone':
      case 'email':
      case 'url':
        spec.inputType = textInputTypes[widget]!;
        return 'text';
    }
    if (type === 'boolean') return 'boolean';
    if (type === 'integer' || type === 'number') return 'number';
    if (type === 'string') {
      if (schema.format === 'date') return 'date';
      if (schema.format === 'date-time') return 'datetime';
      if (schema.format === 'color') return 'color';
      // A link or an address is one line however long it may be (a video URL allows 2,000 characters).
      const oneLine = textInputTypes[schema.format ?? ''] !== undefined;
      if (!oneLine && ((schema.maxLength ?? 0) > 300 || (schema.maxLength === undefined && schema.format === undefined && longTextNames.test(name))))
        return 'textarea';
      spec.inputType = /password|secret/.test(name) ? 'password' : (textInputTypes[schema.format ?? ''] ?? 'text');
      return 'text';
    }
    if (type === 'array' && schema.items) {
      const items = unwrapNullable(schema.items).schema;
      const itemChoices = choicesOf(items, translate);
      if (itemChoices) {
        Object.assign(spec, { options: itemChoices.options, optionLabels: itemChoices.labels });
        return 'choices';
      }
      if (items.type === 'string' && items['x-plinth-file']) {
        spec.item = specOf('file', items, true, context);
        return 'files';
      }
      if (spec.ref ?? items['x-plinth-ref']) {
        spec.ref ??= items['x-plinth-ref'];
        return 'refs';
      }
      if (items.type === 'object' && items.properties) {
        spec.fields = fieldsOf(items, context);
        return 'rows';
      }
      if (typeof items.type === 'string' && scalarTypes.has(items.type)) {
        spec.item = specOf('item', items, true, context);
        return 'list';
      }
    }
    if (type === 'object' || (type === undefined && (schema.properties || schema.patternProperties || typeof schema.additionalProperties === 'object'))) {
      if (schema.properties && Object.keys(schema.properties).length > 0) {
        spec.fields = fieldsOf(schema, context);
        return 'object';
      }
      const patterns = Object.values(schema.patternProperties ?? {});
      const values = patterns.length === 1 ? patterns[0] : schema.additionalProperties;
      if (typeof values === 'object') {
        // Values of any kind (`Type.Unknown()`) are typed as text, read as JSON where they are JSON.
        const value = specOf('value', values, false, context);
        spec.item = Object.keys(values).length > 0 ? value : { ...value, kind: 'any' };
        return 'map';
      }
    }
    return 'json';
  })();
  spec.kind = kind;
  return spec;
}

let rowSequence = 0;
/** A new key for a row or entry. */
export function newKey(): string {
  rowSequence += 1;
  return `k${rowSequence}`;
}

/** Drafts for the fields: from `data` (editing) or the schema defaults (creating). */
export function draftsFor(fields: FieldSpec[], data?: Record<string, unknown>): Drafts {
  const drafts: Drafts = {};
  for (const field of fields) {
    const value = data ? data[field.name] : (field.schema.default ?? field.inner.default);
    drafts[field.name] = draftOf(field, value, data ?? {});
  }
  return drafts;
}

/** The currency of a money field: its sibling currency property's value, else the tenant's. */
function currencyOf(field: FieldSpec, siblings: Record<string, unknown>): string {
  const sibling = field.currencyField ? siblings[field.currencyField] : undefined;
  return typeof sibling === 'string' && /^[A-Za-z]{3}$/.test(sibling) ? sibling.toUpperCase() : field.context.currency;
}

/** A draft of a new, empty row of a sub-form (the row schema's defaults). */
export function emptyRow(field: FieldSpec): RowDraft {
  return { key: newKey(), drafts: draftsFor(field.fields) };
}

/** The draft a field's input holds for `value`; `siblings` is the object holding it (for a sibling currency). */
export function draftOf(field: FieldSpec, value: unknown, siblings: Record<string, unknown> = {}): Draft {
  const missing = value === undefined || value === null;
  switch (field.kind) {
    case 'boolean':
      return value === true;
    case 'choices':
    case 'refs':
    case 'files':
      return Array.isArray(value) ? value.map(String) : [];
    case 'list':
      return Array.isArray(value) ? value.map((item) => String(draftOf(field.item!, item))) : [];
    case 'object':
      return draftsFor(field.fields, isRecord(value) ? value : missing ? undefined : {});
    case 'rows':
      return Array.isArray(value) ? value.map((row) => ({ key: newKey(), drafts: draftsFor(field.fields, isRecord(row) ? row : {}) })) : [];
    case 'map':
      return isRecord(value) ? Object.entries(value).map(([name, item]) => ({ key: newKey(), name, value: draftOf(field.item!, item) })) : [];
    case 'json':
    case 'hidden':
      return missing ? '' : JSON.stringify(value, null, 2);
    case 'any':
      return anyDraft(value);
    case 'money':
      return typeof value === 'number' ? moneyDraft(value, currencyDigits(currencyOf(field, siblings))) : missing ? '' : String(value);
    case 'percent':
      return typeof value === 'number' ? percentDraft(value) : missing ? '' : String(value);
    case 'datetime':
      return typeof value === 'string' ? isoToLocalInput(value, field.context.timeZone) || value : '';
    case 'date':
      return typeof value === 'string' ? value.slice(0, 10) : '';
    default:
      return missing ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A draft without the keys of rows and entries, to compare two drafts by what they say. */
function plain(field: FieldSpec, draft: Draft | undefined): unknown {
  switch (field.kind) {
    case 'object':
      return plainDrafts(field.fields, (draft ?? {}) as Drafts);
    case 'rows':
      return ((draft ?? []) as RowDraft[]).map((row) => plainDrafts(field.fields, row.drafts));
    case 'map':
      return ((draft ?? []) as EntryDraft[]).map((entry) => [entry.name, plain(field.item!, entry.value)]);
    default:
      return draft;
  }
}

function plainDrafts(fields: FieldSpec[], drafts: Drafts): unknown[] {
  return fields.map((field) => plain(field, drafts[field.name]));
}

/** Whether a draft holds nothing (an empty input, an empty list, an object whose fields are all empty). */
function isEmpty(field: FieldSpec, draft: Draft | undefined): boolean {
  switch (field.kind) {
    case 'boolean':
      return false;
    case 'object':
      // A switch left at its default does not fill a group; one turned the other way does.
      return field.fields.every((sub) => {
        const value = (draft as Drafts | undefined)?.[sub.name];
        if (sub.kind === 'boolean') return value === ((sub.schema.default ?? sub.inner.default) === true);
        return sub.readOnly || isEmpty(sub, value);
      });
    default:
      return draft === undefined || draft === '' || (Array.isArray(draft) && draft.length === 0);
  }
}

const textLike = new Set<Kind>(['text', 'textarea', 'richtext']);
const arrayKinds = new Set<Kind>(['choices', 'list', 'refs', 'rows', 'files']);

/** A value of any kind as text: a string as it is (quoted when it would read as JSON), anything else as JSON. */
export function anyDraft(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value !== 'string') return JSON.stringify(value);
  return 'value' in parseJson(value) ? JSON.stringify(value) : value;
}

/** Text typed for a value of any kind: JSON where it is JSON (`42`, `true`, `{"a":1}`, `"42"`), else the text. */
export function anyValue(text: string): unknown {
  const parsed = parseJson(text.trim());
  return 'value' in parsed ? parsed.value : text;
}

/**
 * The request body from the drafts. Creating: empty optional fields are left out (defaults are in the drafts, so
 * they are sent). Editing (`original` given): only fields that changed are sent, a changed object or array whole.
 * `problems` are found before sending, keyed by the dotted path the API uses (`variants.1.price`).
 */
export function bodyFrom(
  fields: FieldSpec[],
  drafts: Drafts,
  original?: Record<string, unknown>,
): { body: Record<string, unknown>; problems: Record<string, Problem[]> } {
  const problems: Record<string, Problem[]> = {};
  const body = objectFrom(fields, drafts, '', problems, original);
  return { body, problems };
}

function objectFrom(
  fields: FieldSpec[],
  drafts: Drafts,
  prefix: string,
  problems: Record<string, Problem[]>,
  original?: Record<string, unknown>,
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of fields) {
    if (field.readOnly) continue;
    const path = `${prefix}${field.name}`;
    const draft = drafts[field.name];
    if (original && JSON.stringify(plain(field, draft)) === JSON.stringify(plain(field, draftOf(field, original[field.name], original)))) continue;
    if (field.kind === 'hidden' && draft === '') continue;
    if (isEmpty(field, draft)) {
      if (original) {
        // Clearing a field while editing: null where allowed, else an empty value the API may refuse.
        if (field.nullable) body[field.name] = null;
        else if (arrayKinds.has(field.kind) || field.kind === 'map') body[field.name] = field.kind === 'map' ? {} : [];
        else if (textLike.has(field.kind)) body[field.name] = '';
      } else if (field.required) {
        if (textLike.has(field.kind)) body[field.name] = '';
        else if (arrayKinds.has(field.kind)) body[field.name] = [];
        else if (field.kind === 'object') body[field.name] = valueFrom(field, draft!, path, problems, drafts);
        else problems[path] = ['required'];
      } else if (arrayKinds.has(field.kind) && (field.schema.default ?? field.inner.default) !== undefined) {
        // Emptied a list that has a default: say so, or the default comes back.
        body[field.name] = [];
      }
      continue;
    }
    const value = valueFrom(field, draft!, path, problems, drafts);
    if (value !== undefined) body[field.name] = value;
  }
  return body;
}

/** The JSON value of a filled draft; undefined (with a problem at `path`) when it cannot be read. */
function valueFrom(field: FieldSpec, draft: Draft, path: string, problems: Record<string, Problem[]>, siblings: Drafts): unknown {
  const fail = (problem: Problem) => {
    (problems[path] ??= []).push(problem);
    return undefined;
  };
  const text = typeof draft === 'string' ? draft : '';
  const integer = field.inner.type === 'integer';
  switch (field.kind) {
    case 'boolean':
      return draft === true;
    case 'number': {
      const normal = asciiDigits(text.trim()).replace(',', '.');
      const number = normal === '' ? Number.NaN : Number(normal);
      if (!Number.isFinite(number)) return fail('number');
      if (integer && !Number.isInteger(number)) return fail('integer');
      return number;
    }
    case 'money': {
      const digits = currencyDigits(currencyOf(field, siblings));
      const minor = moneyValue(text, digits);
      return minor === undefined ? fail(`money:${digits}`) : minor;
    }
    case 'percent': {
      const basisPoints = percentValue(text);
      return basisPoints === undefined ? fail('percent') : basisPoints;
    }
    case 'datetime': {
      const iso = localInputToIso(text, field.context.timeZone);
      return iso === undefined ? fail('datetime') : iso;
    }
    case 'select':
    case 'segmented': {
      const raw = field.inner.enum ?? (field.inner.anyOf ?? field.inner.oneOf ?? []).map((variant) => variant.const);
      return raw.find((choice) => choice !== null && String(choice) === draft) ?? draft;
    }
    case 'choices':
    case 'refs':
    case 'files':
      return draft;
    case 'any':
      return anyValue(text);
    case 'list':
      return (draft as string[]).map((item, index) => valueFrom(field.item!, item, `${path}.${index}`, problems, {}));
    case 'object':
      return objectFrom(field.fields, draft as Drafts, `${path}.`, problems);
    case 'rows':
      return (draft as RowDraft[]).map((row, index) => objectFrom(field.fields, row.drafts, `${path}.${index}.`, problems));
    case 'map': {
      const value: Record<string, unknown> = {};
      for (const entry of draft as EntryDraft[]) {
        const name = entry.name.trim();
        if (name === '' && isEmpty(field.item!, entry.value)) continue;
        if (name === '' || Object.hasOwn(value, name)) {
          fail(name === '' ? 'required-key' : 'duplicate-key');
          continue;
        }
        value[name] = isEmpty(field.item!, entry.value) ? emptyValue(field.item!) : valueFrom(field.item!, entry.value, `${path}.${name}`, problems, {});
      }
      return value;
    }
    case 'json':
    case 'hidden': {
      const parsed = parseJson(text);
      return 'value' in parsed ? parsed.value : fail(`json:${parsed.line}:${parsed.column}`);
    }
    default:
      return draft;
  }
}

function emptyValue(field: FieldSpec): unknown {
  if (field.nullable) return null;
  if (arrayKinds.has(field.kind)) return [];
  if (field.kind === 'map' || field.kind === 'object') return {};
  return '';
}

/**
 * The messages of `errors` (dotted path → messages) that belong at `path`: its own, and those of deeper paths
 * no child input shows (`claimed` says which), prefixed with the rest of their path.
 */
export function messagesAt(errors: Record<string, string[]>, path: string, claimed: (rest: string) => boolean = () => false): string[] {
  const messages: string[] = [];
  for (const [key, list] of Object.entries(errors)) {
    if (key === path) messages.push(...list);
    else if (key.startsWith(`${path}.`)) {
      const rest = key.slice(path.length + 1);
      if (!claimed(rest)) messages.push(...list.map((message) => `${rest}: ${message}`));
    }
  }
  return messages;
}

/** Which deeper error paths a field's own inputs show (the rest are listed at the field). */
export function claimedBy(field: FieldSpec, draft: Draft | undefined): (rest: string) => boolean {
  const names = new Set(field.fields.map((sub) => sub.name));
  switch (field.kind) {
    case 'object':
      return (rest) => names.has(rest.split('.')[0]!);
    case 'rows': {
      const count = Array.isArray(draft) ? draft.length : 0;
      return (rest) => {
        const [index, name] = rest.split('.');
        return /^\d+$/.test(index!) && Number(index) < count && (name === undefined || names.has(name));
      };
    }
    case 'map': {
      const entries = new Set(((draft ?? []) as EntryDraft[]).map((entry) => entry.name.trim()));
      return (rest) => entries.has(rest.split('.')[0]!);
    }
    case 'list': {
      const count = Array.isArray(draft) ? draft.length : 0;
      return (rest) => /^\d+$/.test(rest) && Number(rest) < count;
    }
    default:
      return () => false;
  }
}

/** API field errors under `prefix` (`settings.`), with the prefix taken off and `/a/b` paths made dotted. */
export function errorsUnder(errors: Record<string, string[]>, prefix = ''): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const [key, messages] of Object.entries(errors)) {
    const dotted = key.startsWith('/') ? key.slice(1).replaceAll('/', '.') : key;
    if (dotted.startsWith(prefix)) (result[dotted.slice(prefix.length)] ??= []).push(...messages);
  }
  return result;
}

/** The error keys a form of `fields` places beside its inputs (the rest belong in the banner). */
export function placedErrorKeys(errors: Record<string, string[]>, fields: FieldSpec[], prefix = ''): string[] {
  return Object.keys(errors).filter((name) => fields.some((field) => name === `${prefix}${field.name}` || name.startsWith(`${prefix}${field.name}.`)));
}
