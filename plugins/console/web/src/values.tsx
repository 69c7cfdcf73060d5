/** How API values are shown in generated screens. */

const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** A short rendering of a value for a table cell. */
export function CellValue({ value }: { value: unknown }) {
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return <span class="muted">—</span>;
  if (typeof value === 'boolean') return <>{value ? 'Yes' : 'No'}</>;
  if (typeof value === 'string' && isoDateTime.test(value)) {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return <time dateTime={value}>{date.toLocaleString()}</time>;
  }
  if (Array.isArray(value)) {
    if (value.every((item) => item === null || typeof item !== 'object')) return <>{value.join(', ')}</>;
    return <>{`${value.length} item${value.length === 1 ? '' : 's'}`}</>;
  }
  if (typeof value === 'object') {
    const text = JSON.stringify(value);
    return <code>{text.length > 60 ? `${text.slice(0, 57)}…` : text}</code>;
  }
  return <>{String(value)}</>;
}

/** A full rendering of a value for a detail page. */
export function DetailValue({ value }: { value: unknown }) {
  if (value !== null && typeof value === 'object' && !(Array.isArray(value) && value.every((item) => item === null || typeof item !== 'object')))
    return <pre class="json">{JSON.stringify(value, null, 2)}</pre>;
  return <CellValue value={value} />;
}

const hiddenColumns = /^(tenant_id|password.*|.*_hash|.*secret.*)$/;

/** Up to `max` columns for rows: the writable fields first (in schema order), then other simple fields. */
export function columnsFor(rows: Record<string, unknown>[], preferred: string[], max = 6): string[] {
  const simple = (key: string) => rows.some((row) => row[key] !== undefined && (row[key] === null || typeof row[key] !== 'object' || Array.isArray(row[key])));
  const keys = [...new Set([...preferred, ...rows.flatMap((row) => Object.keys(row))])].filter((key) => key !== 'id' && !hiddenColumns.test(key));
  const present = keys.filter((key) => (rows.length === 0 ? preferred.includes(key) : simple(key)));
  const columns = present.filter((key) => !key.endsWith('_id'));
  return (columns.length > 0 ? columns : present).slice(0, max);
}

/** The best human name of a record (name, title, email, …) for headings. */
export function recordTitle(record: Record<string, unknown>, fallback: string): string {
  for (const key of ['name', 'title', 'label', 'email', 'subject', 'slug', 'number', 'code']) {
    const value = record[key];
    if (typeof value === 'string' && value) return value;
  }
  return fallback;
}

/** Text with Markdown-style `code` spans (route summaries), rendered safely. */
export function RichText({ text }: { text: string }) {
  return <>{text.split('`').map((part, index) => (index % 2 === 1 ? <code key={index}>{part}</code> : part))}</>;
}
