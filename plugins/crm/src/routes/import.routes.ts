import { randomUUID } from 'node:crypto';
import {
  listPage,
  actingUserId,
  type AnyRoute,
  FileRef,
  fileErrors,
  limitErrors,
  PageQuery,
  paginate,
  Reply,
  Type,
  UnitRef,
  ValidationError,
  withStatus,
} from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { crmPermissions as permissions } from '../permissions.js';
import { existingEmails } from '../services/import-apply.js';
import { contactsLimit } from '../services/contact-limit.js';
import { ensureImportFits } from '../services/import-limit.js';
import { findImport, Import, importColumns, keptErrors, toImport } from '../services/import-job-state.js';
import { parseMapping } from '../services/import-mapping.js';
import { claimCsvFile, importLimitBytes, previewOwner, readCsv, storeCsv } from '../services/import-file.js';
import { parseImport } from '../services/import-rows.js';
import { membersByEmail } from '../services/members.js';
import { importChunkRows } from '../jobs/import-contacts.job.js';

/** An import of a CSV uploaded beforehand through `POST /api/v1/files`. */
const FileImport = Type.Object(
  { file_id: FileRef({ accept: ['text/csv'], maxBytes: importLimitBytes }, { description: 'A CSV uploaded through POST /api/v1/files' }) },
  { additionalProperties: false },
);

const RowError = Type.Object({ line: Type.Integer(), field: Type.String(), message: Type.String() });
const DryRun = Type.Object({
  dry_run: Type.Literal(true),
  total_rows: Type.Integer(),
  valid_rows: Type.Integer(),
  invalid_rows: Type.Integer(),
  would_create: Type.Integer(),
  would_update: Type.Integer(),
  would_skip: Type.Integer(),
  beyond_limit: Type.Integer({
    description: 'New contacts beyond what the plan still allows: the import is refused (409 limit_reached) unless it is 0',
  }),
  ignored_columns: Type.Array(Type.String()),
  errors: Type.Array(RowError),
  preview: Type.Array(Type.Record(Type.String(), Type.Unknown())),
});

/** `/api/v1/crm/contacts/import` and `/imports…`: CSV import with a dry run, run as a job the client polls. */
export function importRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'POST',
      path: '/contacts/import',
      summary: 'Import contacts from a CSV: the body (text/csv) or `{ file_id }` of an upload (dry_run=true previews; otherwise 202 and a job)',
      rateLimit: { per: 'principal', max: 30, windowSeconds: 3600 },
      permission: permissions['contacts.import'],
      body: { types: ['text/csv', 'application/json'], limitBytes: importLimitBytes },
      errors: [fileErrors.storage_quota_exceeded, fileErrors.file_too_large, limitErrors.limit_reached],
      schema: {
        query: Type.Object(
          {
            dry_run: Type.Boolean({ default: false }),
            on_duplicate: Type.Union([Type.Literal('skip'), Type.Literal('update')], { default: 'skip' }),
            mapping: Type.Optional(Type.String({ maxLength: 10_000, description: 'JSON object: CSV column → field (name, email, …, custom.<key>, ignore)' })),
            unit_id: Type.Optional(
              UnitRef({ description: 'The team the imported contacts join; existing contacts are updated only within it and the teams below it' }),
            ),
          },
          { additionalProperties: false },
        ),
        body: Type.Union([Type.String({ description: 'The CSV itself (Content-Type: text/csv)' }), FileImport]),
        response: withStatus(Type.Union([DryRun, Import], { description: 'The dry run (200), or the import queued (202)' }), [200, 202]),
      },
      async handler({ query, body, deps, ctx }) {
        const mapping = parseMapping(query.mapping);
        // The import's row would refuse it too (foreign key), but a dry run writes no row: checked here for both.
        if (query.unit_id && !(await deps.units.get(query.unit_id))) throw new ValidationError({ unit_id: ['is not a unit of this workspace'] });
        const importId = randomUUID();
        // An uploaded file is claimed for the import (for a dry run, for the import that follows it), in this transaction.
        const claimed = typeof body === 'string' ? undefined : await claimCsvFile(deps.files, body.file_id, query.dry_run ? previewOwner : importId);
        const csv = claimed ? await readCsv(deps.files, claimed.id) : (body as string);
        const parsed = parseImport(csv, {
          mapping,
          definitions: ctx.settings.customFields,
          membersByEmail: await membersByEmail(deps.members),
          chunkRows: importChunkRows,
        });
        if (query.dry_run) {
          const existing = await existingEmails(
            deps.db,
            parsed.rows.map((row) => row.email.toLowerCase()),
          );
          const duplicates = parsed.rows.filter((row) => existing.has(row.email.toLowerCase())).length;
          const limit = await deps.limits.state(contactsLimit);
          return {
            dry_run: true as const,
            total_rows: parsed.totalRows,
            valid_rows: parsed.rows.length,
            invalid_rows: parsed.invalidLines.length,
            would_create: parsed.rows.length - duplicates,
            would_update: query.on_duplicate === 'update' ? duplicates : 0,
            would_skip: query.on_duplicate === 'skip' ? duplicates : 0,
            beyond_limit: limit.max === null ? 0 : Math.max(0, limit.used + parsed.rows.length - duplicates - limit.max),
            ignored_columns: parsed.ignoredColumns,
            errors: parsed.errors.slice(0, keptErrors),
            preview: parsed.rows.slice(0, 20).map(({ index: _index, ...row }) => row),
          };
        }
        // An import that would pass the plan's contact limit is refused whole, before anything is stored or queued.
        await ensureImportFits(deps.db, deps.limits, parsed.rows);
        const actor = actingUserId(ctx);
        // A CSV sent as the body is stored only once it passed the checks: a refused file leaves nothing behind.
        const file = claimed ?? (await storeCsv(deps.files, csv, importId));
        const [row] = await deps.db.query<{ id: string }>(
          `insert into crm_imports (id, on_duplicate, mapping, file_id, total_rows, failed_count, errors, invalid_lines, chunk_lines, chunk_offsets, created_by, unit_id)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning id`,
          [
            importId,
            query.on_duplicate,
            JSON.stringify(mapping ?? {}),
            file.id,
            parsed.totalRows,
            parsed.invalidLines.length,
            JSON.stringify(parsed.errors.slice(0, keptErrors)),
            parsed.invalidLines,
            parsed.chunkLines,
            parsed.chunkOffsets,
            actor,
            query.unit_id ?? null,
          ],
        );
        await deps.jobs.enqueue('crm.import.run', { importId: row!.id, chunk: 0 });
        return Reply.accepted(await findImport(deps.db, row!.id));
      },
    }),
    route({
      method: 'GET',
      path: '/imports',
      summary: 'Imports, newest first',
      permission: permissions['contacts.import'],
      schema: { query: PageQuery, response: Type.Array(Import) },
      async handler({ query, deps }) {
        const { items, total } = await listPage<Parameters<typeof toImport>[0]>(
          deps.db,
          { select: importColumns, from: 'crm_imports', orderBy: 'created_at desc, id desc' },
          query,
        );
        return Reply.list(items.map(toImport), paginate(query, total));
      },
    }),
    route({
      method: 'GET',
      path: '/imports/:id',
      summary: "An import's progress, counts and refused rows (poll it)",
      permission: permissions['contacts.import'],
      schema: { params: Type.Object({ id: Type.String({ format: 'uuid' }) }), response: Import },
      async handler({ params, deps }) {
        return findImport(deps.db, params.id);
      },
    }),
  ];
}
