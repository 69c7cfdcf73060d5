import type { FieldErrors } from '@plinth/sdk';
import type { CustomFieldDefinition } from '../settings.js';

export type CustomValue = string | number | null;

/**
 * Checks custom field values against the tenant's definitions: unknown keys, wrong types, values outside a
 * select's options. Numbers may arrive as strings (CSV). Returns the normalised values and errors keyed
 * `custom_fields.<key>`. `null` clears a field; `required` is enforced when `complete` (a new contact).
 */
export function checkCustomFields(
  input: Record<string, unknown>,
  definitions: readonly CustomFieldDefinition[],
  complete: boolean,
): { values: Record<string, CustomValue>; errors: FieldErrors } {
  const byKey = new Map(definitions.map((definition) => [definition.key, definition]));
  const values: Record<string, CustomValue> = {};
  const errors: FieldErrors = {};
  const fail = (key: string, message: string) => (errors[`custom_fields.${key}`] ??= []).push(message);
  for (const [key, raw] of Object.entries(input)) {
    const definition = byKey.get(key);
    if (!definition) {
      fail(key, 'is not a defined custom field');
      continue;
    }
    if (raw === null || raw === '') {
      values[key] = null;
      continue;
    }
    const value = normalise(definition, raw);
    if (typeof value === 'string' && value.startsWith('!')) fail(key, value.slice(1));
    else values[key] = value;
  }
  if (complete) {
    for (const definition of definitions) if (definition.required && (values[definition.key] ?? null) === null) fail(definition.key, 'is required');
  }
  return { values, errors };
}

/** The value in its stored form, or `!message` when it does not fit the field. */
function normalise(definition: CustomFieldDefinition, raw: unknown): CustomValue {
  switch (definition.type) {
    case 'text':
      if (typeof raw !== 'string') return '!must be text';
      return raw.length > 1000 ? '!must be at most 1000 characters' : raw;
    case 'number': {
      const number = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
      return Number.isFinite(number) ? number : '!must be a number';
    }
    case 'date':
      if (typeof raw !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(raw) || Number.isNaN(Date.parse(raw)) || new Date(raw).toISOString().slice(0, 10) !== raw) {
        return '!must be a date (YYYY-MM-DD)';
      }
      return raw;
    case 'select':
      if (typeof raw !== 'string' || !(definition.options ?? []).includes(raw)) return `!must be one of: ${(definition.options ?? []).join(', ')}`;
      return raw;
  }
}
