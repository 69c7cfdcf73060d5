/**
 * Which columns identify a row of a generated list and how each value is shown (money, dates, flags, public
 * addresses), from the response schema where it says and from names and values where it does not. Pure: no DOM.
 */
import { humanize } from './openapi';
import { resourceText } from './resource-messages';
import type { JsonSchema } from './schema';

/** The tenant's conventions values are shown in. */
export interface ValueContext {
  currency: string;
  timeZone: string;
  /** The plugin whose records these are: its translations give the labels (see plugin-text.ts). */
  plugin?: string | undefined;
}

type Row = Record<string, unknown>;

/** How a column is shown. */
export type ValueKind = 'text' | 'choice' | 'money' | 'percent' | 'date' | 'datetime' | 'boolean' | 'number' | 'url' | 'other';

/** A property whose value is one of a fixed set of codes (`draft`, `in_stock`) even where the response schema lists none. */
const choiceName = /(^|_)(status|state|level|kind|outcome)$/;
const choiceCode = /^[a-z][a-z0-9_]*$/;

/** A column of a generated table: its heading, how to read it from a row, how to show it. */
export interface ColumnSpec {
  key: string;
  label: string;
  kind: ValueKind;
  /** Whether the list route can sort by it (a real property, not a derived one). */
  sortable: boolean;
  value(row: Row): unknown;
  /** For money: the currency of a row's amount. */
  currency?(row: Row): string | undefined;
}

export const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
export const isoDate = /^\d{4}-\d{2}-\d{2}$/;
const hiddenColumns = /^(id|tenant_id|password.*|.*_hash|.*secret.*|.*token.*)$/;
const identifying = ['title', 'name', 'label', 'subject', 'text', 'heading', 'email', 'code', 'sku', 'number', 'slug'];
const moneyName = /(^|_)(price|amount|total|subtotal|balance|fee|tax|discount|refunded|paid)$|_cents$|_minor$/;
const quantityName = /(^|_)(stock|quantity|qty|count|seats|capacity|visits|clicks|views|recipients)$/;
const stateName = /^(status|state|type|kind|level|role|visibility)$/;
const longText = /^(description|bio|body|content|notes?|html|markdown|summary|message)$/;

/** The schema without a `null` variant (`anyOf [X, null]` → X). */
export function inner(schema: JsonSchema | undefined): JsonSchema | undefined {
  const variants = schema?.anyOf ?? schema?.oneOf;
  if (!variants) return schema;
  const rest = variants.filter((variant) => variant.type !== 'null');
  if (rest.length === 1) return { ...schema, ...rest[0], anyOf: undefined, oneOf: undefined } as JsonSchema;
  // An enum written as `anyOf` of consts stays as it is.
  return schema;
}

function typeOf(schema: JsonSchema | undefined): string | undefined {
  const type = schema?.type;
  return Array.isArray(type) ? type.find((candidate) => candidate !== 'null') : type;
}

/** What kind of value a property holds, by its schema, else its name and a sample value. */
export function kindOf(key: string, schema: JsonSchema | undefined, sample: unknown): ValueKind {
  const plain = inner(schema);
  const widget = plain?.['x-plinth-widget'];
  if (widget === 'money') return 'money';
  if (widget === 'basis-points') return 'percent';
  if (widget === 'date' || plain?.format === 'date') return 'date';
  if (widget === 'datetime' || plain?.format === 'date-time') return 'datetime';
  const type = typeOf(plain) ?? (typeof sample === 'number' ? 'number' : typeof sample === 'boolean' ? 'boolean' : undefined);
  if (type === 'boolean') return 'boolean';
  if ((type === 'integer' || type === 'number') && moneyName.test(key)) return 'money';
  if (type === 'integer' || type === 'number') return 'number';
  if (publicUrlOf(key, sample, plain) || plain?.format === 'uri' || /(^|_)url$/.test(key)) return 'url';
  if (typeof sample === 'string' && isoDateTime.test(sample)) return 'datetime';
  if (typeof sample === 'string' && isoDate.test(sample) && /(_on|_date|^date)$/.test(key)) return 'date';
  const coded = plain?.enum !== undefined || (plain?.anyOf ?? plain?.oneOf)?.every((variant) => variant.const !== undefined) === true;
  if (coded || (choiceName.test(key) && typeof sample === 'string' && choiceCode.test(sample))) return 'choice';
  if (type === 'string' || typeof sample === 'string') return 'text';
  return 'other';
}

const sampleOf = (rows: Row[], key: string) => rows.find((row) => row[key] !== null && row[key] !== undefined)?.[key];

function isUuid(schema: JsonSchema | undefined, sample: unknown): boolean {
  return inner(schema)?.format === 'uuid' || (typeof sample === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(sample));
}

function simpleProperty(schema: JsonSchema | undefined, sample: unknown): boolean {
  const plain = inner(schema);
  const type = typeOf(plain);
  if (type === 'object' || (type === undefined && sample !== null && typeof sample === 'object' && !Array.isArray(sample))) return false;
  if (type === 'array' || Array.isArray(sample)) {
    const items = plain?.items;
    return items ? typeOf(items) !== 'object' : Array.isArray(sample) && sample.every((item) => item === null || typeof item !== 'object');
  }
  return true;
}

/**
 * The columns that identify a row and say most about it, at most `max`: its name (title, name, label, text, email…;
 * else a text inside its data, like a block's), its public address, money, stock, status and flags, then dates;
 * never a bare id. `itemSchema` is the list route's item schema; `writable` the create body's properties (a fallback order).
 */
export function columnsFor(
  rows: Row[],
  itemSchema: JsonSchema | undefined,
  writable: string[],
  currency: (row: Row) => string | undefined,
  max = 6,
): ColumnSpec[] {
  const properties = itemSchema?.properties ?? {};
  const keys = [...new Set([...Object.keys(properties), ...writable, ...rows.flatMap((row) => Object.keys(row))])].filter((key) => !hiddenColumns.test(key));
  const schemaOf = (key: string) => properties[key];
  const label = (key: string) => inner(schemaOf(key))?.title ?? humanize(key);
  const plain = (key: string): ColumnSpec => {
    const kind = kindOf(key, schemaOf(key), sampleOf(rows, key));
    return {
      key,
      label: label(key),
      kind,
      sortable: true,
      value: (row) => row[key],
      ...(kind === 'money' ? { currency: (row: Row) => moneyCurrency(schemaOf(key), row) ?? currency(row) } : {}),
    };
  };
  const usable = keys.filter((key) => {
    const sample = sampleOf(rows, key);
    if (key.endsWith('_id') || key.endsWith('_ids') || isUuid(schemaOf(key), sample)) return false;
    if (rows.length === 0 && !properties[key] && !writable.includes(key)) return false;
    return simpleProperty(schemaOf(key), sample);
  });
  const chosen: ColumnSpec[] = [];
  const take = (spec: ColumnSpec | undefined) => {
    if (spec && chosen.length < max && !chosen.some((column) => column.key === spec.key)) chosen.push(spec);
  };
  const names = identifying.filter((key) => usable.includes(key));
  take(names[0] ? plain(names[0]) : nestedText(rows, keys, schemaOf));
  if (names[0] !== 'email' && usable.includes('email')) take(plain('email'));
  for (const key of usable) if (kindOf(key, schemaOf(key), sampleOf(rows, key)) === 'url' && publicUrlOf(key, sampleOf(rows, key))) take(plain(key));
  for (const key of usable) if (plain(key).kind === 'money') take(plain(key));
  for (const spec of childAggregates(rows, keys, schemaOf, currency)) take(spec);
  for (const key of usable) if (quantityName.test(key) && plain(key).kind === 'number') take(plain(key));
  for (const key of usable) if (stateName.test(key)) take(plain(key));
  for (const key of usable) if (plain(key).kind === 'boolean') take(plain(key));
  const dates = usable.filter((key) => ['date', 'datetime'].includes(plain(key).kind));
  for (const key of dates.filter((key) => key !== 'created_at' && key !== 'updated_at')) take(plain(key));
  const scalar = (key: string) => !Array.isArray(sampleOf(rows, key)) && typeOf(inner(schemaOf(key))) !== 'array';
  for (const key of [...writable, ...usable])
    if (usable.includes(key) && scalar(key) && !longText.test(key) && plain(key).kind !== 'datetime') take(plain(key));
  if (usable.includes('created_at')) take(plain('created_at'));
  for (const key of usable) take(plain(key));
  return chosen;
}

/** A row's text when its own fields have none: `data.title`, `data.text`, `data.url`… (a bio block). */
function nestedText(rows: Row[], keys: string[], schemaOf: (key: string) => JsonSchema | undefined): ColumnSpec | undefined {
  const holder = keys.find((key) => {
    const sample = sampleOf(rows, key);
    return (typeOf(inner(schemaOf(key))) === 'object' || (sample !== null && typeof sample === 'object' && !Array.isArray(sample))) && !hiddenColumns.test(key);
  });
  if (!holder) return undefined;
  return {
    key: `${holder}.*`,
    label: resourceText('content'),
    kind: 'text',
    sortable: false,
    value: (row) => {
      const nested = row[holder];
      if (!nested || typeof nested !== 'object') return undefined;
      const record = nested as Row;
      for (const key of [...identifying, 'url', 'network', 'product_slug']) if (typeof record[key] === 'string' && record[key]) return record[key];
      return undefined;
    },
  };
}

/** A product's price and stock held by its variants: the price range and the stock summed over an array of child records. */
function childAggregates(
  rows: Row[],
  keys: string[],
  schemaOf: (key: string) => JsonSchema | undefined,
  currency: (row: Row) => string | undefined,
): ColumnSpec[] {
  const specs: ColumnSpec[] = [];
  for (const key of keys) {
    const items = inner(schemaOf(key))?.items;
    const children = (row: Row) => (Array.isArray(row[key]) ? (row[key] as unknown[]).filter((item): item is Row => !!item && typeof item === 'object') : []);
    const childKeys = Object.keys(items?.properties ?? children(rows.find((row) => children(row).length > 0) ?? {})[0] ?? {});
    const price = childKeys.find((child) => /^(price|amount)$/.test(child));
    const stock = childKeys.find((child) => /^(stock|quantity)$/.test(child));
    if (price)
      specs.push({
        key: `${key}.${price}`,
        label: resourceText('price'),
        kind: 'money',
        sortable: false,
        value: (row) => {
          const amounts = children(row)
            .map((child) => child[price])
            .filter((value): value is number => typeof value === 'number');
          if (amounts.length === 0) return undefined;
          const low = Math.min(...amounts);
          const high = Math.max(...amounts);
          return low === high ? low : [low, high];
        },
        currency: (row) => {
          const first = children(row)[0];
          return typeof first?.currency === 'string' ? first.currency : currency(row);
        },
      });
    if (stock)
      specs.push({
        key: `${key}.${stock}`,
        label: resourceText('stock'),
        kind: 'number',
        sortable: false,
        value: (row) => {
          const counts = children(row)
            .map((child) => child[stock])
            .filter((value): value is number => typeof value === 'number');
          return counts.length === 0 ? undefined : counts.reduce((sum, count) => sum + count, 0);
        },
      });
  }
  return specs;
}

/** The currency of a money property: its `x-plinth-currency-field` sibling, or the row's `currency`. */
export function moneyCurrency(schema: JsonSchema | undefined, row: Row): string | undefined {
  const field = inner(schema)?.['x-plinth-currency-field'];
  const named = field ? row[field] : row.currency;
  return typeof named === 'string' && /^[A-Za-z]{3}$/.test(named) ? named : undefined;
}

/**
 * The absolute public address a value stands for, or undefined: an `http(s)` URL, or (for a property named `url` or
 * `…_url`) a path on this host (`/b/my-page`), completed with the console's origin, which is the platform's.
 */
export function publicUrlOf(
  key: string,
  value: unknown,
  schema?: { format?: string; readOnly?: boolean },
  origin: string = globalThis.location?.origin ?? 'http://localhost',
): string | undefined {
  if (typeof value !== 'string' || value.length > 2048) return undefined;
  const named = /(^|_)url$/i.test(key) || /[a-z]Url$/.test(key);
  if (!named && !(schema?.format === 'uri' && schema.readOnly)) return undefined;
  if (/^https?:\/\/[^\s/]+/i.test(value)) return value;
  if (named && value.startsWith('/') && !value.startsWith('//')) return new URL(value, origin).href;
  return undefined;
}

/** The best human name of a record (name, title, email, …) for headings. */
export function recordTitle(record: Record<string, unknown>, fallback: string): string {
  for (const key of ['name', 'title', 'label', 'email', 'subject', 'slug', 'number', 'code', 'sku']) {
    const value = record[key];
    if (typeof value === 'string' && value) return value;
  }
  const data = record.data;
  if (data && typeof data === 'object')
    for (const key of ['title', 'text', 'label', 'url']) if (typeof (data as Row)[key] === 'string' && (data as Row)[key]) return (data as Row)[key] as string;
  return fallback;
}
