/** How API values are shown in generated screens: typed by the response schema where it says, by the value where not. */
import { inner, isoDate, isoDateTime, kindOf, moneyCurrency, publicUrlOf, type ValueContext, type ValueKind } from './columns';
import { formatBasisPoints, formatDate, formatDateTime, formatMoney, formatNumber } from './format';
import { pluginWords } from './plugin-text';
import { PublicUrl } from './public-url';
import { resourceText } from './resource-messages';
import type { JsonSchema } from './schema';

export { columnsFor, recordTitle, type ColumnSpec, type ValueContext } from './columns';

type Row = Record<string, unknown>;

/** A value shown as its kind says, in the tenant's currency and time zone. */
export function TypedValue({
  value,
  kind,
  currency,
  context,
  compact = false,
}: {
  value: unknown;
  kind: ValueKind;
  currency?: string | undefined;
  context: ValueContext;
  compact?: boolean;
}) {
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return <span class="muted">—</span>;
  if (kind === 'money') {
    const code = currency ?? context.currency;
    if (typeof value === 'number') return <span class="number">{formatMoney(value, code)}</span>;
    if (Array.isArray(value) && value.length === 2 && value.every((item) => typeof item === 'number'))
      return (
        <span class="number">
          {formatMoney(value[0] as number, code)} – {formatMoney(value[1] as number, code)}
        </span>
      );
  }
  if (kind === 'percent' && typeof value === 'number') return <span class="number">{formatBasisPoints(value)}</span>;
  // A code (`in_stock`) as the form offers it: in words, in the console's language.
  if (kind === 'choice' && typeof value === 'string') return <>{pluginWords(context.plugin, value)}</>;
  if (kind === 'number' && typeof value === 'number') return <span class="number">{formatNumber(value)}</span>;
  if ((kind === 'datetime' || kind === 'date') && typeof value === 'string') {
    const shown = kind === 'date' && isoDate.test(value) ? formatDate(value) : formatDateTime(value, context.timeZone);
    return <time dateTime={value}>{shown}</time>;
  }
  if (kind === 'url' && typeof value === 'string') {
    const url = publicUrlOf('url', value);
    if (url) return <PublicUrl url={url} compact={compact} />;
  }
  return <CellValue value={value} context={context} />;
}

/** A short rendering of a value for a table cell, typed by the value alone. */
export function CellValue({ value, context }: { value: unknown; context: ValueContext }) {
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return <span class="muted">—</span>;
  if (typeof value === 'boolean') return <>{value ? resourceText('yes') : resourceText('no')}</>;
  if (typeof value === 'number') return <span class="number">{formatNumber(value)}</span>;
  if (typeof value === 'string' && isoDateTime.test(value)) return <time dateTime={value}>{formatDateTime(value, context.timeZone)}</time>;
  if (Array.isArray(value)) {
    if (value.every((item) => item === null || typeof item !== 'object')) return <>{value.join(', ')}</>;
    return <>{resourceText('items', { count: value.length })}</>;
  }
  if (typeof value === 'object') {
    const text = JSON.stringify(value);
    return <code dir="ltr">{text.length > 60 ? `${text.slice(0, 57)}…` : text}</code>;
  }
  return <>{String(value)}</>;
}

/** A full rendering of one property of a record for its detail page. */
export function DetailValue({
  name,
  value,
  schema,
  row,
  context,
}: {
  name: string;
  value: unknown;
  schema?: JsonSchema | undefined;
  row: Row;
  context: ValueContext;
}) {
  const url = publicUrlOf(name, value, inner(schema));
  if (url) return <PublicUrl url={url} />;
  const kind = kindOf(name, schema, value);
  if (kind !== 'other' && kind !== 'text' && kind !== 'url')
    return <TypedValue value={value} kind={kind} currency={kind === 'money' ? moneyCurrency(schema, row) : undefined} context={context} />;
  if (value !== null && typeof value === 'object' && !(Array.isArray(value) && value.every((item) => item === null || typeof item !== 'object'))) {
    if (!Array.isArray(value)) {
      const entries = Object.entries(value as Row);
      if (entries.every(([, nested]) => nested === null || typeof nested !== 'object'))
        return (
          <dl class="record nested">
            {entries.map(([key, nested]) => (
              <div key={key}>
                <dt>{pluginWords(context.plugin, key)}</dt>
                <dd>
                  <DetailValue name={key} value={nested} schema={inner(schema)?.properties?.[key]} row={value as Row} context={context} />
                </dd>
              </div>
            ))}
          </dl>
        );
    }
    return (
      <pre class="json" dir="ltr">
        {JSON.stringify(value, null, 2)}
      </pre>
    );
  }
  return <CellValue value={value} context={context} />;
}

/** Text with Markdown-style `code` spans (route summaries), rendered safely. */
export function RichText({ text }: { text: string }) {
  return <>{text.split('`').map((part, index) => (index % 2 === 1 ? <code key={index}>{part}</code> : part))}</>;
}
