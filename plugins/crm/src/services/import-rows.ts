import { ValidationError } from '@plinth/sdk';
import { parse } from 'csv-parse/sync';
import type { CustomFieldDefinition } from '../settings.js';
import { isEmail } from './contact-model.js';
import { checkCustomFields, type CustomValue } from './custom-fields.js';
import { resolveColumns, type ColumnTargets } from './import-mapping.js';

/** A row ready to import. */
export interface ImportRow {
  /** Position among the data rows, from 0. */
  index: number;
  line: number;
  email: string;
  name: string | null;
  phone: string | null;
  company: string | null;
  tags: string[];
  source: string | null;
  score: number | null;
  owner_id: string | null;
  custom: Record<string, CustomValue>;
}

/** A problem with one row: its line in the file, the field, and what is wrong. */
export interface RowError {
  line: number;
  field: string;
  message: string;
}

export interface ParsedImport {
  totalRows: number;
  rows: ImportRow[];
  errors: RowError[];
  /** Lines of the rows with at least one error (not imported). */
  invalidLines: number[];
  /** The first line of every `chunkRows`-th data row: where each chunk of the import job starts. */
  chunkLines: number[];
  /**
   * Where each chunk starts in the file's UTF-8 bytes (a BOM included), as the parser counted them: the job reads
   * the header (the bytes before the first chunk) and its chunk by range, not the whole file.
   */
  chunkOffsets: number[];
  ignoredColumns: string[];
}

export interface RowOptions {
  definitions: readonly CustomFieldDefinition[];
  membersByEmail: Map<string, string>;
}

type ParsedRecord = { record: string[]; info: { lines: number; bytes: number } };

const limits: Record<string, number> = { name: 200, phone: 40, company: 200, source: 40 };

function parseRecords(csv: string, options: { to?: number } = {}): ParsedRecord[] {
  try {
    return parse(csv, { bom: true, skip_empty_lines: true, relax_column_count: true, info: true, trim: true, ...options }) as never;
  } catch (error) {
    throw new ValidationError({ file: [(error as Error).message] }, 'The file is not valid CSV');
  }
}

/** The header row (422 when the file is empty or not CSV). */
export function readHeader(csv: string): string[] {
  const [head] = parseRecords(csv, { to: 1 });
  if (!head) throw new ValidationError({ file: ['is empty'] });
  return head.record;
}

/** Checks one record against the column targets: the row, and its errors (duplicates are not checked here). */
function checkRecord(record: string[], line: number, index: number, targets: ColumnTargets, options: RowOptions): { row: ImportRow; errors: RowError[] } {
  const errors: RowError[] = [];
  const fail = (field: string, message: string) => errors.push({ line, field, message });
  if (record.length !== targets.length) fail('row', `has ${record.length} fields; the header has ${targets.length}`);
  const row: ImportRow = { index, line, email: '', name: null, phone: null, company: null, tags: [], source: null, score: null, owner_id: null, custom: {} };
  const custom: Record<string, string> = {};
  targets.forEach((target, column) => {
    const value = record[column] ?? '';
    if (!target || (value === '' && target !== 'email')) return;
    if (target.startsWith('custom.')) custom[target.slice('custom.'.length)] = value;
    else if (target === 'email') row.email = value;
    else if (target === 'tags')
      row.tags = [
        ...new Set(
          value
            .split(/[;,]/)
            .map((tag) => tag.trim())
            .filter(Boolean),
        ),
      ];
    else if (target === 'score') {
      if (/^-?\d{1,7}$/.test(value)) row.score = Number(value);
      else fail('score', 'must be a whole number');
    } else if (target === 'owner_email') {
      const owner = options.membersByEmail.get(value.toLowerCase());
      if (owner) row.owner_id = owner;
      else fail('owner_email', 'is not a member of the tenant');
    } else if (value.length > (limits[target] ?? 200)) fail(target, `must be at most ${limits[target]} characters`);
    else row[target as 'name' | 'phone' | 'company' | 'source'] = value;
  });
  if (!isEmail(row.email)) fail('email', row.email ? 'must be a valid email' : 'is required');
  const checked = checkCustomFields(custom, options.definitions, false);
  for (const [field, messages] of Object.entries(checked.errors)) for (const message of messages) fail(field, message);
  row.custom = checked.values;
  return { row, errors };
}

/**
 * Parses and checks a whole CSV of contacts (header first). A malformed file (broken quoting) is refused as
 * a whole (422 under `file`, naming the line); rows with bad values are reported and left out; a repeated
 * email keeps its first row.
 */
export function parseImport(csv: string, options: RowOptions & { mapping: Record<string, string> | undefined; chunkRows: number }): ParsedImport {
  const [head, ...data] = parseRecords(csv);
  if (!head) throw new ValidationError({ file: ['is empty'] });
  const { targets, ignored } = resolveColumns(head.record, options.mapping, options.definitions);
  const parsed: ParsedImport = { totalRows: data.length, rows: [], errors: [], invalidLines: [], chunkLines: [], chunkOffsets: [], ignoredColumns: ignored };
  const firstLineOf = new Map<string, number>();
  let previousEnd = head.info.lines;
  let previousBytes = head.info.bytes;
  data.forEach(({ record, info }, index) => {
    if (index % options.chunkRows === 0) {
      parsed.chunkLines.push(previousEnd + 1);
      parsed.chunkOffsets.push(previousBytes);
    }
    previousEnd = info.lines;
    previousBytes = info.bytes;
    const { row, errors } = checkRecord(record, info.lines, index, targets, options);
    const key = row.email.toLowerCase();
    const first = firstLineOf.get(key);
    if (first !== undefined && isEmail(row.email)) errors.push({ line: info.lines, field: 'email', message: `repeats the email of line ${first}` });
    else firstLineOf.set(key, info.lines);
    if (errors.length) {
      parsed.invalidLines.push(info.lines);
      parsed.errors.push(...errors);
    } else parsed.rows.push(row);
  });
  return parsed;
}

/** Offset in `csv` where 1-based line `line` starts. */
function lineOffset(csv: string, line: number): number {
  let offset = 0;
  for (let current = 1; current < line; current++) {
    const next = csv.indexOf('\n', offset);
    if (next === -1) return csv.length;
    offset = next + 1;
  }
  return offset;
}

type ChunkOptions = RowOptions & { mapping: Record<string, string> | undefined; invalidLines: ReadonlySet<number> };

/** The valid rows of `text`, the part of a checked file from line `fromLine` on, read against the file's header. */
function chunkRows(header: string[], text: string, range: { fromLine: number; firstIndex: number }, options: ChunkOptions): ImportRow[] {
  const { targets } = resolveColumns(header, options.mapping, options.definitions);
  const rows: ImportRow[] = [];
  parseRecords(text).forEach(({ record, info }, offset) => {
    const line = range.fromLine - 1 + info.lines;
    if (options.invalidLines.has(line)) return;
    const { row, errors } = checkRecord(record, line, range.firstIndex + offset, targets, options);
    if (errors.length === 0) rows.push(row);
  });
  return rows;
}

/**
 * The valid rows of one chunk of an already checked file, from line `fromLine` up to (not including)
 * `toLine`: only that part is parsed again; rows whose line the full check refused are left out. For imports
 * queued before migration 008, whose CSV is kept in their row.
 */
export function parseChunk(csv: string, range: { fromLine: number; toLine: number | undefined; firstIndex: number }, options: ChunkOptions): ImportRow[] {
  const start = lineOffset(csv, range.fromLine);
  const end = range.toLine === undefined ? csv.length : lineOffset(csv, range.toLine);
  return chunkRows(readHeader(csv), csv.slice(start, end), range, options);
}

/** {@link parseChunk} on the parts of a stored file read by byte range: its header (what precedes the first chunk) and the chunk. */
export function parseChunkText(parts: { header: string; chunk: string }, range: { fromLine: number; firstIndex: number }, options: ChunkOptions): ImportRow[] {
  return chunkRows(readHeader(parts.header), parts.chunk, range, options);
}
