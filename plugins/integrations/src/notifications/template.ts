/**
 * Templates with merge fields: `{{ payload.customer.name }}`, `{{ event.name }}`, `{{ tenant.name }}`,
 * `{{ recipient.name }}`. Only lookups: no expressions, no calls, no helpers, so a template can never run code.
 * Values are looked up as own properties only (no prototype), objects render as nothing, and in HTML every value
 * is escaped.
 */

const FIELD = /\{\{\s*([^{}]*?)\s*\}\}/g;
const PATH = /^(event|payload|tenant|recipient)(\.[A-Za-z0-9_-]+)*$/;

/** What a template's fields can reach. */
export interface MergeContext {
  event: { id: string; name: string; occurred_at: string };
  payload: unknown;
  tenant: { name: string; slug: string };
  recipient: { name: string | null; address: string };
}

/** Problems with a template's text: unknown or malformed fields, stray braces. Empty when it is fine. */
export function templateProblems(text: string): string[] {
  const problems: string[] = [];
  for (const match of text.matchAll(FIELD)) {
    if (!PATH.test(match[1]!)) problems.push(`unknown merge field {{ ${match[1]} }} (use event.…, payload.…, tenant.… or recipient.…)`);
  }
  const rest = text.replace(FIELD, '');
  if (rest.includes('{{') || rest.includes('}}')) problems.push('has an unclosed or stray {{ }}');
  return problems;
}

/** Renders `text`; `html` escapes every merged value for HTML. */
export function renderTemplate(text: string, context: MergeContext, html = false): string {
  return text.replace(FIELD, (_whole, path: string) => {
    if (!PATH.test(path)) return '';
    const value = lookup(context, path);
    const rendered = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
    return html ? escapeHtml(rendered) : rendered;
  });
}

/** The value at a dotted path, own properties only; `undefined` when absent. */
export function lookup(root: unknown, path: string): unknown {
  let value: unknown = root;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Escapes text for HTML content and attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);
}
