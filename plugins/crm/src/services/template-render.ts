import type { FieldErrors } from '@plinth/sdk';

/**
 * The merge fields of email templates: `{{contact.name}}`, `{{contact.first_name}}`, `{{contact.email}}`,
 * `{{contact.phone}}`, `{{contact.company}}`, `{{contact.custom.<key>}}` (a defined custom field),
 * `{{tenant.name}}` and `{{unsubscribe_url}}`. Rendering only substitutes values looked up by exact name
 * (no expressions, no property access), HTML-escaped in the HTML part.
 */
const fixedFields = new Set(['contact.name', 'contact.first_name', 'contact.email', 'contact.phone', 'contact.company', 'tenant.name', 'unsubscribe_url']);

const tag = /\{\{([^{}]*)\}\}/g;
const fieldName = /^\s*([a-z_]+(?:\.[a-z0-9_]+)*)\s*$/;

/** Problems with a template part's merge fields (malformed, or unknown): empty when it renders. */
export function mergeFieldProblems(source: string, customKeys: readonly string[]): string[] {
  const known = new Set([...fixedFields, ...customKeys.map((key) => `contact.custom.${key}`)]);
  const problems: string[] = [];
  for (const [whole, inner] of source.matchAll(tag)) {
    const name = fieldName.exec(inner ?? '')?.[1];
    if (!name) problems.push(`${whole} is not a merge field`);
    else if (!known.has(name)) problems.push(`${whole} is not a known merge field`);
  }
  return problems;
}

/** Field errors for a template's parts, keyed by part. */
export function templateErrors(parts: Record<string, string | undefined>, customKeys: readonly string[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const [part, source] of Object.entries(parts)) {
    const problems = source === undefined ? [] : mergeFieldProblems(source, customKeys);
    if (problems.length) errors[part] = problems;
  }
  return errors;
}

/** The values a message is rendered with, by merge field name. */
export type MergeValues = ReadonlyMap<string, string>;

export interface MergeContact {
  name: string | null;
  email: string;
  phone: string | null;
  company: string | null;
  custom_fields: Record<string, unknown>;
}

/** The merge values of one recipient. */
export function mergeValues(contact: MergeContact, tenantName: string, unsubscribeUrl: string): MergeValues {
  const values = new Map<string, string>([
    ['contact.name', contact.name ?? ''],
    ['contact.first_name', (contact.name ?? '').trim().split(/\s+/)[0] ?? ''],
    ['contact.email', contact.email],
    ['contact.phone', contact.phone ?? ''],
    ['contact.company', contact.company ?? ''],
    ['tenant.name', tenantName],
    ['unsubscribe_url', unsubscribeUrl],
  ]);
  for (const [key, value] of Object.entries(contact.custom_fields)) values.set(`contact.custom.${key}`, value === null ? '' : String(value));
  return values;
}

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => entities[char]!);
}

/** Substitutes merge fields (unknown ones render empty); `html` escapes the values. */
export function render(source: string, values: MergeValues, mode: 'html' | 'text'): string {
  return source.replace(tag, (_whole, inner: string) => {
    const name = fieldName.exec(inner)?.[1];
    const value = (name && values.get(name)) ?? '';
    return mode === 'html' ? escapeHtml(value) : value;
  });
}
