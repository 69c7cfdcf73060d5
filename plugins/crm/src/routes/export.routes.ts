import { type AnyRoute, commonErrors, rawBody, Reply, type TenantDb, Type, ValidationError } from '@plinth/sdk';
import { stringify } from 'csv-stringify/sync';
import type { Builders } from '../deps.js';
import { crmPermissions as permissions } from '../permissions.js';
import type { CustomFieldDefinition } from '../settings.js';
import { ContactFilter, filterSql, pickFilter, resolveFilter, wordMatchesSql, type ResolvedFilter } from '../services/contact-filter.js';
import { segmentFilter } from './segments.routes.js';

const pageRows = 2000;
const baseColumns = ['id', 'name', 'email', 'phone', 'company', 'tags', 'source', 'score', 'owner_id', 'unit_id', 'created_at', 'updated_at'];

/** Spreadsheet formula injection: a text cell that would start a formula is prefixed with `'`. */
function safeCell(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return /^[=@\t\r]/.test(value) || /^[+-](?![\d\s().-]*$)/.test(value) ? `'${value}` : value;
}

interface ExportRow {
  id: string;
  name: string | null;
  email: string;
  phone: string | null;
  company: string | null;
  tags: string[];
  source: string | null;
  score: number;
  owner_id: string | null;
  unit_id: string | null;
  created_at: Date;
  updated_at: Date;
  custom_fields: Record<string, unknown>;
}

/** The CSV of every contact matching `filter`, read in keyset pages inside the request's open transaction. */
async function* exportCsv(db: TenantDb, filter: ResolvedFilter, fields: readonly CustomFieldDefinition[]): AsyncGenerator<string> {
  yield stringify([[...baseColumns, ...fields.map((field) => `custom.${field.key}`)]]);
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    // The search words' matches are read once from the index as an array of ids (as the list does), then probed by id:
    // a semi-join PostgreSQL may choose instead rescans the index for every contact of the page.
    const values: unknown[] = [];
    const words = wordMatchesSql(filter, values);
    const where = [filterSql(filter, values, { words: false }), ...(words ? [`c.id = any(array(${words.sql}))`] : [])].join(' and ');
    const rows = await db.query<ExportRow>(
      `select id, name, email, phone, company, tags, source, score, owner_id, unit_id, created_at, updated_at, custom_fields
         from crm_contacts c where ${where} and c.id > $${values.length + 1} order by c.id limit ${pageRows}`,
      [...values, after],
    );
    if (rows.length === 0) return;
    yield stringify(
      rows.map((row) =>
        [
          row.id,
          row.name,
          row.email,
          row.phone,
          row.company,
          row.tags.join(';'),
          row.source,
          row.score,
          row.owner_id,
          row.unit_id,
          row.created_at.toISOString(),
          row.updated_at.toISOString(),
          ...fields.map((field) => row.custom_fields[field.key] ?? ''),
        ].map(safeCell),
      ),
    );
    after = rows[rows.length - 1]!.id;
  }
}

/** `/api/v1/crm/contacts/export`: the list (same filters) or a segment as a streamed CSV. */
export function exportRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/contacts/export',
      summary: 'Export contacts matching the filters, or a segment (segment_id), as CSV',
      errors: [commonErrors.not_found],
      rateLimit: { per: 'principal', max: 20, windowSeconds: 3600 },
      permission: permissions['contacts.export'],
      schema: {
        query: Type.Composite([ContactFilter, Type.Object({ segment_id: Type.Optional(Type.String({ format: 'uuid' })) })], { additionalProperties: false }),
        response: rawBody('text/csv', 'The contacts as CSV, streamed'),
      },
      async handler({ query, deps, ctx }) {
        const filter = pickFilter(query);
        if (query.segment_id && Object.keys(filter).length) throw new ValidationError({ segment_id: ['cannot be combined with other filters'] });
        const chosen = query.segment_id
          ? await resolveFilter(deps.units, await segmentFilter(deps.db, query.segment_id))
          : await resolveFilter(deps.units, filter, { strict: true });
        return Reply.stream(exportCsv(deps.db, chosen, ctx.settings.customFields), {
          contentType: 'text/csv; charset=utf-8',
          headers: { 'content-disposition': 'attachment; filename="contacts.csv"', 'cache-control': 'no-store' },
        });
      },
    }),
  ];
}
