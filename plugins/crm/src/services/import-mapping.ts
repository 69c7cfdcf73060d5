import { ValidationError } from '@plinth/sdk';
import type { CustomFieldDefinition } from '../settings.js';

/** Contact fields a CSV column may fill; `custom.<key>` fills a custom field, `ignore` skips the column. */
export const importFields = ['name', 'email', 'phone', 'company', 'tags', 'source', 'score', 'owner_email'] as const;
export type ImportField = (typeof importFields)[number] | `custom.${string}`;

/** Which field each column (by position) fills; undefined: ignored. */
export type ColumnTargets = (ImportField | undefined)[];

/**
 * Resolves the columns of a CSV header: by the explicit `mapping` (header → field, or `ignore`), else by
 * name (`email`, `custom.plan`, or a custom field's key). Refuses (422, under `mapping`) targets that are not
 * fields, custom fields that are not defined, a field filled twice, or no email column.
 */
export function resolveColumns(
  header: string[],
  mapping: Record<string, string> | undefined,
  definitions: readonly CustomFieldDefinition[],
): { targets: ColumnTargets; ignored: string[] } {
  const customKeys = new Set(definitions.map((definition) => definition.key));
  const problems: string[] = [];
  for (const column of Object.keys(mapping ?? {})) if (!header.includes(column)) problems.push(`column "${column}" is not in the file`);
  const targets = header.map((column): ImportField | undefined => {
    const wanted = mapping?.[column] ?? defaultTarget(column.trim().toLowerCase(), customKeys);
    if (wanted === undefined || wanted === 'ignore') return undefined;
    if (wanted.startsWith('custom.')) {
      if (!customKeys.has(wanted.slice('custom.'.length))) problems.push(`column "${column}": ${wanted} is not a defined custom field`);
      return wanted as ImportField;
    }
    if (!(importFields as readonly string[]).includes(wanted)) {
      problems.push(`column "${column}": ${wanted} is not a contact field`);
      return undefined;
    }
    return wanted as ImportField;
  });
  const seen = new Set<string>();
  for (const target of targets) {
    if (target && seen.has(target)) problems.push(`${target} is filled by more than one column`);
    if (target) seen.add(target);
  }
  if (!seen.has('email')) problems.push('no column is mapped to email');
  if (problems.length) throw new ValidationError({ mapping: problems });
  return { targets, ignored: header.filter((_column, index) => !targets[index]) };
}

function defaultTarget(column: string, customKeys: Set<string>): string | undefined {
  if ((importFields as readonly string[]).includes(column) || column.startsWith('custom.')) return column;
  if (customKeys.has(column)) return `custom.${column}`;
  return undefined;
}

/** The `mapping` query parameter: a JSON object of column → field. */
export function parseMapping(raw: string | undefined): Record<string, string> | undefined {
  if (raw === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ValidationError({ mapping: ['must be a JSON object of column → field'] });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.values(value).some((target) => typeof target !== 'string')) {
    throw new ValidationError({ mapping: ['must be a JSON object of column → field'] });
  }
  return value as Record<string, string>;
}
