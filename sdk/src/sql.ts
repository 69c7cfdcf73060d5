/**
 * A `like`/`ilike` pattern that matches `text` literally: `\`, `%` and `_` in it are escaped with a backslash,
 * PostgreSQL's default `like` escape character (so no `escape` clause is needed; with standard strings on).
 * `match` places the wildcards: `'contains'` (default) gives `%text%`, `'prefix'` gives `text%`.
 * Pass the result as a parameter, never spliced into the SQL.
 *
 * @example
 * ```ts
 * const rows = await db.query('select id from crm_contacts where email ilike $1', [likePattern(query.q)]);
 * likePattern('50%_off', { match: 'prefix' }); // '50\%\_off%'
 * ```
 */
export function likePattern(text: string, options: { match?: 'contains' | 'prefix' } = {}): string {
  const escaped = text.replace(/[\\%_]/g, '\\$&');
  return options.match === 'prefix' ? `${escaped}%` : `%${escaped}%`;
}

/** PostgreSQL's SQLSTATE for a unique violation. */
const UNIQUE_VIOLATION = '23505';

/**
 * Whether `error` (or an error in its `cause` chain) is PostgreSQL's unique violation — on the named
 * `constraint` (or index), or on any without one. For turning a concurrent duplicate into a 409.
 *
 * @example
 * ```ts
 * try {
 *   await db.query('insert into crm_tags (name) values ($1)', [name]);
 * } catch (error) {
 *   if (isUniqueViolation(error, 'crm_tags_name_key')) throw new ConflictError('A tag has this name');
 *   throw error;
 * }
 * ```
 */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const seen = new Set<unknown>();
  for (let current = error; typeof current === 'object' && current !== null && !seen.has(current);) {
    seen.add(current);
    const candidate = current as { code?: unknown; constraint?: unknown; cause?: unknown };
    if (candidate.code === UNIQUE_VIOLATION) return constraint === undefined || candidate.constraint === constraint;
    current = candidate.cause;
  }
  return false;
}
