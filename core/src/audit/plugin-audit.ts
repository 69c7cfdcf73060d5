import type { Plugin, PluginAudit, PluginAuditEntry } from '@plinth/sdk';
import type { ScopedDb } from '../db/scoped-db.js';
import { recordTenantAudit, type AuditActor } from './audit.js';

/** The entity and the verb of a plugin's action: they become `<plugin>.<entity>.<verb>`, which the log filters by prefix. */
const actionPart = /^[a-z][a-z0-9_]*$/;

/**
 * Columns that say nothing about a change: `updated_at` moves with every update, `tenant_id` is the log's own
 * tenant. Left out of every diff.
 */
const unchangingColumns = new Set(['updated_at', 'tenant_id']);

/** One field's change as the log keeps it: its values as JSON, or only the fact that it changed when the plugin redacts it. */
export type FieldChange = { from: unknown; to: unknown } | { redacted: true };

/**
 * The fields whose JSON differs between `before` and `after` (dates as ISO strings, an absent field as null). With
 * no `before` (a creation) every field of `after` is a change, and with no `after` (a deletion) every field of
 * `before`; the values of `redact` fields never appear.
 */
export function fieldChanges(before: object | null | undefined, after: object | null | undefined, redact: readonly string[] = []): Record<string, FieldChange> {
  const changes: Record<string, FieldChange> = {};
  const oneSided = !before || !after;
  for (const field of new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])) {
    if (unchangingColumns.has(field)) continue;
    const from = asJson((before as Record<string, unknown> | null | undefined)?.[field]);
    const to = asJson((after as Record<string, unknown> | null | undefined)?.[field]);
    if (!oneSided && canonical(from) === canonical(to)) continue;
    changes[field] = redact.includes(field) ? { redacted: true } : { from, to };
  }
  return changes;
}

/** A value as it is stored in `jsonb` (a Date becomes its ISO string, `undefined` null). */
function asJson(value: unknown): unknown {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value, (_key, nested: unknown) => (typeof nested === 'bigint' ? nested.toString() : nested))) as unknown;
}

/** JSON text with object keys sorted, so that the same value read in another key order compares equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, nested]) => `${JSON.stringify(key)}:${canonical(nested)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * A plugin's `core.audit` for one unit of work: entries go to the tenant's audit log in the unit's transaction, so
 * they commit or roll back with the change. The actor is the request's (user or API token, IP, user agent, request
 * id); jobs and event handlers have none, and their entries say `data.by = '<plugin>'` instead.
 */
export function pluginAudit(plugin: Plugin, unit: { db: ScopedDb; actor?: AuditActor | undefined }): PluginAudit {
  return {
    async record(entry: PluginAuditEntry) {
      for (const part of ['entity', 'verb'] as const) {
        if (typeof entry[part] !== 'string' || !actionPart.test(entry[part])) {
          throw new Error(
            `plugin \`${plugin.name}\`: audit ${part} ${JSON.stringify(entry[part])} must be lower-case letters, digits and _ (like \`course\`, \`created\`)`,
          );
        }
      }
      const actor = unit.actor ?? {};
      const anonymous = !actor.userId && !actor.tokenId;
      // `changes` and `by` are core's, set over the plugin's `data`: it cannot pass off a diff or an actor of its own.
      const { changes: _changes, by: _by, ...data }: Record<string, unknown> = { ...entry.data };
      if (entry.before || entry.after) data.changes = fieldChanges(entry.before, entry.after, entry.redact);
      if (anonymous) data.by = plugin.name;
      await recordTenantAudit(unit.db, actor, {
        action: `${plugin.name}.${entry.entity}.${entry.verb}`,
        targetType: entry.entity,
        targetId: entry.target,
        unitId: entry.unit ?? null,
        data,
      });
    },
  };
}
