import { Type, ValidationError, type PluginUnits, type Static, Ref, UnitRef } from '@plinth/sdk';

const Instant = Type.Union([Type.String({ format: 'date-time' }), Type.String({ format: 'date' })]);

/**
 * The one filter language of the CRM: the contact list's query parameters, and what a segment stores.
 * Every condition present must hold; `tag` lists tags a contact must all carry.
 */
export const ContactFilter = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200, title: 'Search', description: 'Words (or word prefixes) of the name, email or company' })),
    tag: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 60 }), { maxItems: 20, title: 'Tags', description: 'Contacts carrying all of them' })),
    owner_id: Type.Optional(Ref('/members', { value: 'user_id', label: 'name', detail: 'email', title: 'Owner' })),
    source: Type.Optional(Type.String({ minLength: 1, maxLength: 40, title: 'Source' })),
    score_min: Type.Optional(Type.Integer({ title: 'Score from' })),
    score_max: Type.Optional(Type.Integer({ title: 'Score up to' })),
    created_from: Type.Optional(Type.Union(Instant.anyOf, { title: 'Created from' })),
    created_to: Type.Optional(Type.Union(Instant.anyOf, { title: 'Created until' })),
    unit: Type.Optional(UnitRef({ description: 'Contacts of this unit and the units below it' })),
  },
  { additionalProperties: false },
);
export type ContactFilter = Static<typeof ContactFilter>;

/**
 * A filter ready for SQL: its `unit` resolved to that unit and the units below it (`unitIds`, by
 * {@link resolveFilter}). A `unit` left unresolved matches nothing.
 */
export type ResolvedFilter = ContactFilter & { unitIds?: readonly string[] };

/** The filter's own keys, to pick it out of a list's query string. */
export const filterKeys = Object.keys(ContactFilter.properties) as (keyof ContactFilter)[];

/** Picks the filter out of a list's query. */
export function pickFilter(query: Record<string, unknown>): ContactFilter {
  const filter: Record<string, unknown> = {};
  for (const key of filterKeys) if (query[key] !== undefined) filter[key] = query[key];
  return filter as ContactFilter;
}

/** Refuses filters whose parts contradict each other. */
export function checkFilter(filter: ContactFilter): void {
  if (filter.score_min !== undefined && filter.score_max !== undefined && filter.score_min > filter.score_max) {
    throw new ValidationError({ score_min: ['must not exceed score_max'] });
  }
  if (filter.created_from && filter.created_to && Date.parse(filter.created_from) > Date.parse(filter.created_to)) {
    throw new ValidationError({ created_from: ['must not be after created_to'] });
  }
}

/**
 * Checks a filter ({@link checkFilter}) and resolves its `unit` to the unit's subtree. `strict` (a filter the caller
 * just sent): a unit the tenant does not have is 422; a stored one (a segment's) whose unit is gone matches nothing.
 */
export async function resolveFilter(units: PluginUnits, filter: ContactFilter, options: { strict?: boolean } = {}): Promise<ResolvedFilter> {
  checkFilter(filter);
  if (!filter.unit) return filter;
  const unitIds = await units.subtree(filter.unit);
  if (options.strict && unitIds.length === 0) throw new ValidationError({ unit: ['is not a unit of this workspace'] });
  return { ...filter, unitIds };
}

/** The search words (letters and digits, lower-cased; at most 8), each matched as a word prefix. */
export function searchWords(q: string | undefined): string[] {
  return (q ?? '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .slice(0, 8);
}

/** Sorts after every word starting with a prefix (in the "C" collation of crm_contact_words). */
const afterPrefix = '\u{10FFFF}';

/**
 * SQL conditions (on alias `c` of `crm_contacts`) for a filter, appending its values to `values` as `$n`
 * parameters. Live contacts, or those in the trash with `deleted`. `words: false` leaves out the search words and
 * tags, for a caller matching them with `wordMatchesSql`.
 */
export function filterSql(filter: ResolvedFilter, values: unknown[], options: { deleted?: boolean; words?: boolean } = {}): string {
  const where = [options.deleted ? 'c.deleted_at is not null' : 'c.deleted_at is null'];
  // The words of live contacts and of the trash have an index each: say which side (migration 006).
  const side = options.deleted ? 'not w.live' : 'w.live';
  const add = (condition: (param: string) => string, value: unknown) => {
    values.push(value);
    where.push(condition(`$${values.length}`));
  };
  const words = options.words === false ? { q: undefined, tag: undefined } : filter;
  for (const word of searchWords(words.q)) {
    values.push(word, word + afterPrefix);
    const [from, to] = [`$${values.length - 1}`, `$${values.length}`];
    where.push(`c.id in (select w.contact_id from crm_contact_words w where ${side} and w.word >= ${from} and w.word < ${to})`);
  }
  // Tags are in the search index too (`\x01<tag>`): looked up there, they use its index under RLS.
  for (const tag of words.tag ?? []) add((p) => `c.id in (select w.contact_id from crm_contact_words w where ${side} and w.word = ${p})`, `\x01${tag}`);
  if (filter.unit) add((p) => `c.unit_id = any(${p}::uuid[])`, filter.unitIds ?? []);
  if (filter.owner_id) add((p) => `c.owner_id = ${p}`, filter.owner_id);
  if (filter.source) add((p) => `c.source = ${p}`, filter.source);
  if (filter.score_min !== undefined) add((p) => `c.score >= ${p}`, filter.score_min);
  if (filter.score_max !== undefined) add((p) => `c.score <= ${p}`, filter.score_max);
  if (filter.created_from) add((p) => `c.created_at >= ${p}::timestamptz`, filter.created_from);
  if (filter.created_to) {
    // A bare date includes that whole day.
    if (filter.created_to.length === 10) add((p) => `c.created_at < ${p}::date + 1`, filter.created_to);
    else add((p) => `c.created_at <= ${p}::timestamptz`, filter.created_to);
  }
  return where.join(' and ');
}

/**
 * The ids of the contacts (live, or in the trash with `deleted`) carrying a filter's search words and tags, as a
 * subquery on the search index alone, appending its values to `values`; each id once. Undefined without words
 * and tags. `only`: the filter has no other condition, so these ids are the whole match.
 */
export function wordMatchesSql(filter: ContactFilter, values: unknown[], options: { deleted?: boolean } = {}): { sql: string; only: boolean } | undefined {
  const parts = [
    ...searchWords(filter.q).map((word) => `w.word >= $${values.push(word)} and w.word < $${values.push(word + afterPrefix)}`),
    ...(filter.tag ?? []).map((tag) => `w.word = $${values.push(`\x01${tag}`)}`),
  ];
  if (parts.length === 0) return undefined;
  // `intersect` keeps each contact once; alone, a part needs `distinct` (a prefix may match several of its words).
  const distinct = parts.length === 1 ? 'distinct ' : '';
  const side = options.deleted ? 'not w.live' : 'w.live';
  const sql = parts.map((condition) => `select ${distinct}w.contact_id from crm_contact_words w where ${side} and ${condition}`).join(' intersect ');
  return { sql, only: filterKeys.every((key) => key === 'q' || key === 'tag' || filter[key] === undefined) };
}

/** The filter conditions a search index entry can answer alone (besides its words and tags). */
const indexedKeys = new Set<keyof ContactFilter>(['q', 'tag', 'unit', 'score_min', 'score_max', 'created_from', 'created_to']);

/**
 * The contacts (live, or in the trash with `deleted`) matching a whole filter, as a query on the search index alone
 * (migration 007): each once, as `contact_id`, `contact_created_at` and `contact_score`; values are appended to
 * `values`. The first search word (or, without words, the first tag) reads its range of the index; the tags are
 * checked on the tags each entry carries, and the score and creation bounds on its keys; further words intersect
 * their own ranges. Undefined when the filter has no words or tags, or a condition the index cannot answer.
 */
export function indexedMatchesSql(filter: ResolvedFilter, values: unknown[], options: { deleted?: boolean } = {}): string | undefined {
  if (!filterKeys.every((key) => filter[key] === undefined || indexedKeys.has(key))) return undefined;
  // Longest first: a longer prefix usually matches fewer entries, and the first range is the one filtered and hashed.
  const words = searchWords(filter.q).sort((a, b) => b.length - a.length);
  const tags = filter.tag ?? [];
  const ranges = words.map((word) => `w.word >= $${values.push(word)} and w.word < $${values.push(word + afterPrefix)}`);
  const [first, ...others] = ranges.length > 0 ? ranges : tags.slice(0, 1).map((tag) => `w.word = $${values.push(`\x01${tag}`)}`);
  if (first === undefined) return undefined;
  const side = options.deleted ? 'not w.live' : 'w.live';
  const where = [side, first];
  const add = (condition: (param: string) => string, value: unknown) => where.push(condition(`$${values.push(value)}`));
  // The tags as one parameter each, not as an array: a statement with an array parameter is never prepared (see
  // core's StatementNames), so it would be planned anew on every request.
  if (tags.length > 0) where.push(`w.contact_tags @> array[${tags.map((tag) => `$${values.push(tag)}`).join(', ')}]::text[]`);
  if (filter.unit) add((p) => `w.unit_id = any(${p}::uuid[])`, filter.unitIds ?? []);
  if (filter.score_min !== undefined) add((p) => `w.contact_score >= ${p}`, filter.score_min);
  if (filter.score_max !== undefined) add((p) => `w.contact_score <= ${p}`, filter.score_max);
  if (filter.created_from) add((p) => `w.contact_created_at >= ${p}::timestamptz`, filter.created_from);
  if (filter.created_to) {
    // A bare date includes that whole day, as in `filterSql`.
    if (filter.created_to.length === 10) add((p) => `w.contact_created_at < ${p}::date + 1`, filter.created_to);
    else add((p) => `w.contact_created_at <= ${p}::timestamptz`, filter.created_to);
  }
  const keys = 'w.contact_id, w.contact_created_at, w.contact_score';
  // A prefix may match several words of one contact: `intersect` with further words keeps it once, else `distinct`.
  const parts = [`select ${others.length > 0 ? '' : 'distinct '}${keys} from crm_contact_words w where ${where.join(' and ')}`];
  for (const range of others) parts.push(`select ${keys} from crm_contact_words w where ${side} and ${range}`);
  return parts.join(' intersect ');
}
