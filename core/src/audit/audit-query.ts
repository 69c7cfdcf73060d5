import { PageQuery, pageWindow, paginate, type Pagination, ValidationError } from '@plinth/sdk';
import { Type, type Static } from '@sinclair/typebox';
import type { Knex } from 'knex';

const isoDatePattern = '^\\d{4}-\\d{2}-\\d{2}([Tt ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,6})?)?([Zz]|[+-]\\d{2}:?\\d{2})?)?$';
const IsoDate = Type.String({ pattern: isoDatePattern, description: 'ISO 8601 date (`2024-05-01`) or date-time (`2024-05-01T12:00:00Z`)' });

/** What both audit logs filter by: action, actor, time. */
const filterFields = {
  action: Type.Optional(
    Type.String({
      maxLength: 120,
      pattern: '^[a-z][a-z0-9_-]*(\\.[a-z0-9_-]+)*(\\.|\\.\\*)?$',
      description: 'An action (`member.removed`), or a prefix ending in `.` or `.*` (`member.`, `member.*`, `lms.course.`)',
    }),
  ),
  actor_user_id: Type.Optional(Type.String({ format: 'uuid' })),
  from: Type.Optional(IsoDate),
  to: Type.Optional(IsoDate),
};

/** Filters shared by the tenant and the host audit logs, on top of `page`/`per_page`. */
export const AuditFilters = { ...PageQuery.properties, ...filterFields };

/** The tenant log's own filters: what an entry is about, and where in the organisation. */
const tenantFilterFields = {
  target_type: Type.Optional(
    Type.String({ minLength: 1, maxLength: 60, pattern: '^[a-z][a-z0-9_.-]*$', description: 'The kind of record (`member`, `course`)' }),
  ),
  target_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'The record’s id' })),
  unit: Type.Optional(Type.String({ format: 'uuid', description: 'Entries of this organisation unit and every unit below it' })),
};

/** The tenant audit log's query string. */
export const AuditQuery = Type.Object({ ...AuditFilters, ...tenantFilterFields }, { additionalProperties: false });
export type AuditQuery = Static<typeof AuditQuery>;

/** The tenant audit log export's query string: the same filters, no pages. */
export const AuditExportQuery = Type.Object({ ...filterFields, ...tenantFilterFields }, { additionalProperties: false });
export type AuditExportQuery = Static<typeof AuditExportQuery>;

type FilterQuery = Pick<AuditQuery, 'action' | 'actor_user_id' | 'from' | 'to'>;

/** Parses the `from`/`to` bounds; a date-only `to` includes that whole day (UTC). */
function timeBounds(query: Pick<AuditQuery, 'from' | 'to'>): { from?: Date; toExclusive?: Date; toInclusive?: Date } {
  const errors: Record<string, string[]> = {};
  const parse = (field: 'from' | 'to'): Date | undefined => {
    const value = query[field];
    if (value === undefined) return undefined;
    const date = new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
    if (Number.isNaN(date.getTime())) errors[field] = ['must be a valid ISO 8601 date or date-time'];
    return date;
  };
  const from = parse('from');
  const to = parse('to');
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  const bounds: { from?: Date; toExclusive?: Date; toInclusive?: Date } = {};
  if (from) bounds.from = from;
  if (to && query.to!.length === 10) bounds.toExclusive = new Date(to.getTime() + 86_400_000);
  else if (to) bounds.toInclusive = to;
  const empty = from && ((bounds.toInclusive && from > bounds.toInclusive) || (bounds.toExclusive && from >= bounds.toExclusive));
  if (empty) throw new ValidationError({ from: ['must not be after `to`'] });
  return bounds;
}

/** Applies the action, actor and time filters to a query on an audit table aliased `a` (422 on a `from` after `to`). */
export function applyAuditFilters(builder: Knex.QueryBuilder, query: FilterQuery): Knex.QueryBuilder {
  const bounds = timeBounds(query);
  if (query.action !== undefined) {
    const prefix = query.action.endsWith('.*') ? query.action.slice(0, -1) : query.action.endsWith('.') ? query.action : undefined;
    if (prefix) builder.whereRaw('starts_with(a.action, ?)', [prefix]);
    else builder.where('a.action', query.action);
  }
  if (query.actor_user_id !== undefined) builder.where('a.actor_user_id', query.actor_user_id);
  if (bounds.from) builder.where('a.created_at', '>=', bounds.from);
  if (bounds.toInclusive) builder.where('a.created_at', '<=', bounds.toInclusive);
  if (bounds.toExclusive) builder.where('a.created_at', '<', bounds.toExclusive);
  return builder;
}

/** Newest first; `id` breaks ties, so pages (and the export's keyset) never skip or repeat an entry. */
export const newestFirst = [
  { column: 'a.created_at', order: 'desc' },
  { column: 'a.id', order: 'desc' },
] as const;

/** One page of an audit query on a table aliased `a` (already filtered), newest first, with its pagination. */
export async function auditPageOf<Row>(builder: Knex.QueryBuilder, query: PageQuery): Promise<{ rows: Row[]; pagination: Pagination }> {
  const [counted] = (await builder.clone().clearSelect().count({ total: '*' })) as { total: number }[];
  const { limit, offset } = pageWindow(query);
  const rows = (await builder
    .orderBy([...newestFirst])
    .limit(limit)
    .offset(offset)) as Row[];
  return { rows, pagination: paginate(query, Number(counted?.total ?? 0)) };
}

/**
 * Applies the audit filters to a query on an audit table aliased `a` and
 * returns one page, newest first, with its pagination.
 */
export function auditPage<Row>(builder: Knex.QueryBuilder, query: FilterQuery & PageQuery): Promise<{ rows: Row[]; pagination: Pagination }> {
  return auditPageOf<Row>(applyAuditFilters(builder, query), query);
}
