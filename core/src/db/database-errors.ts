import { ConflictError, ForbiddenError, ServiceUnavailableError, ValidationError, type FieldErrors, type PlinthError } from '@plinth/sdk';

/** Seconds a client is told to wait (`Retry-After`) while the database is unreachable. */
export const databaseRetryAfterSeconds = 5;

/** The fields of a `pg` error this module reads (`DatabaseError` and Node's socket errors). */
interface PgErrorLike {
  code?: unknown;
  message?: unknown;
  name?: unknown;
  column?: unknown;
  constraint?: unknown;
  detail?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** What the client did wrong, by SQLSTATE: answered `422 validation_failed`. */
const invalidInput: Record<string, string> = {
  '22P02': 'has the wrong format',
  '22003': 'is out of range',
  '22001': 'is too long',
  '22007': 'is not a valid date or time',
  '22008': 'is not a valid date or time',
  '22021': 'contains bytes that are not valid text',
  '22P05': 'contains characters that cannot be stored (such as NUL)',
  '23514': 'is not allowed',
  '23502': 'is required',
};

/** Socket errors of a connection that could not be made or was lost. */
const connectionCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * `pg`'s and knex's words for a connection that is gone or could not be had
 * (they carry no SQLSTATE): a terminated or broken client, a connect timeout,
 * a pool that found no connection in time.
 */
const connectionMessages =
  /Connection terminated|connection error and is not queryable|Client was closed and is not queryable|timeout exceeded when trying to connect|Timeout acquiring a connection|Connection is closed|Unable to acquire a connection/i;

/** The errors `error` wraps, outermost first: knex and our own errors keep the cause (`cause`, an AggregateError's `errors`). */
function* causeChain(error: unknown): Generator<PgErrorLike> {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0 && seen.size < 16) {
    const current = queue.shift();
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    const candidate = current as PgErrorLike;
    yield candidate;
    if (candidate.cause !== undefined) queue.push(candidate.cause);
    if (Array.isArray(candidate.errors)) queue.push(...(candidate.errors as unknown[]));
  }
}

/** True when the error (or one it wraps) says the database is unreachable or the connection was lost. */
export function isConnectionError(error: unknown): boolean {
  for (const candidate of causeChain(error)) {
    const code = typeof candidate.code === 'string' ? candidate.code : '';
    if (connectionCodes.has(code)) return true;
    // 08: connection exception; 57P01-03: admin/crash shutdown, cannot connect now; 53300: too many connections.
    if (/^08...$/.test(code) || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300') return true;
    if (candidate.name === 'KnexTimeoutError') return true;
    if (typeof candidate.message === 'string' && connectionMessages.test(candidate.message)) return true;
  }
  return false;
}

/**
 * True when a statement failed because its connection was dead before the
 * server ran it: `pg` refused to send on a connection it already knew was
 * broken, or the server answered with the FATAL that ends a session
 * (57P01 terminated by an administrator or a restart, 57P02 crash of another
 * backend, 57P03 starting up or shutting down). Given the error of a
 * transaction's preamble, it means nothing of that transaction ran or
 * committed: the preamble begins it, PostgreSQL answers in order, and a
 * session that ends inside the preamble never reaches what was sent behind
 * it. A bare "Connection terminated" (the socket closed with no word from
 * the server) is not such proof: the server may have run everything and
 * crashed before answering.
 */
export function endedBeforeRunning(error: unknown): boolean {
  const candidate = error as PgErrorLike | null;
  if (typeof candidate !== 'object' || candidate === null) return false;
  if (candidate.code === '57P01' || candidate.code === '57P02' || candidate.code === '57P03') return true;
  return typeof candidate.message === 'string' && /^Client (has encountered a connection error|was closed) and is not queryable$/.test(candidate.message);
}

/** `Key (a, b)=(…)` in a constraint error's detail → `['a', 'b']` (the values are left out: they are the client's own). */
function keyColumns(detail: unknown): string[] {
  const match = typeof detail === 'string' ? /^Key \((.+?)\)=/.exec(detail) : null;
  return match ? match[1]!.split(',').map((column) => column.trim().replace(/^"|"$/g, '')) : [];
}

function fieldErrors(columns: readonly string[], message: string): FieldErrors | undefined {
  if (columns.length === 0) return undefined;
  return Object.fromEntries(columns.map((column) => [column, [message]]));
}

/**
 * Maps a database error to the client error it really is, or `undefined`
 * when it is the server's own fault (a missing table, a syntax error: those
 * stay `500 internal_error`). Walks the cause chain, so errors wrapped by
 * knex, a migration or a plugin's service are recognised too.
 *
 * | SQLSTATE / error | answer |
 * | --- | --- |
 * | 22P02, 22003, 22001, 22007, 22008, 22021, 22P05, 23514, 23502 | 422 `validation_failed` (the column in `errors` when PostgreSQL names it) |
 * | 23505 unique, 23P01 exclusion | 409 `conflict`, naming the constraint |
 * | 23503 foreign key, a referenced row is missing | 422 `validation_failed` on the referencing columns |
 * | 23503 foreign key, the row is still referenced | 409 `conflict`, naming the constraint |
 * | 42501 a row Row Level Security refuses to write (a unit the caller does not reach) | 403 `forbidden` |
 * | connection refused/reset/terminated, 08xxx, 57P01–57P03, 53300, pool acquire timeout | 503 `service_unavailable` with `Retry-After` |
 *
 * Messages are written here, never copied from PostgreSQL: they name columns
 * and constraints, not the values or the SQL.
 */
export function databaseErrorToPlinthError(error: unknown): PlinthError | undefined {
  for (const candidate of causeChain(error)) {
    const code = typeof candidate.code === 'string' ? candidate.code : undefined;
    if (code === undefined || !/^[0-9A-Z]{5}$/.test(code)) continue;
    const column = typeof candidate.column === 'string' && candidate.column ? candidate.column : undefined;
    const constraint = typeof candidate.constraint === 'string' && candidate.constraint ? candidate.constraint : undefined;
    const problem = invalidInput[code];
    if (problem) {
      const columns = column ? [column] : code === '23514' || code === '23502' ? keyColumns(candidate.detail) : [];
      const subject = columns.length > 0 ? columns.join(', ') : 'A value';
      const suffix = code === '23514' && constraint ? ` (check ${constraint})` : '';
      const message = `${subject} ${problem}${suffix}`;
      return new ValidationError(fieldErrors(columns, problem) ?? {}, message, { cause: error });
    }
    if (code === '23505' || code === '23P01') {
      const columns = keyColumns(candidate.detail);
      const what = code === '23505' ? 'unique constraint' : 'exclusion constraint';
      const message = `Conflicts with an existing record (${what} ${constraint ?? 'unknown'})`;
      return new ConflictError(message, { cause: error, errors: fieldErrors(columns, 'is already taken') });
    }
    if (code === '23503') {
      const detail = typeof candidate.detail === 'string' ? candidate.detail : '';
      if (/is still referenced/.test(detail)) {
        return new ConflictError(`The record is still referenced by others (foreign key ${constraint ?? 'unknown'})`, { cause: error });
      }
      // A unit reference is `(tenant_id, unit_id)`: the tenant is the row's own, the unit is what the client sent.
      // PostgreSQL leaves the key out of the detail on tables with Row Level Security: the unit constraints' names say it.
      const named = constraint && /_unit_fk$/.test(constraint) ? ['unit_id'] : constraint === 'org_units_parent_fk' ? ['parent_id'] : [];
      const columns = [...new Set([...keyColumns(detail), ...named])].filter((name) => name !== 'tenant_id');
      const subject = columns.length > 0 ? columns.join(', ') : 'A value';
      return new ValidationError(fieldErrors(columns, 'refers to a record that does not exist') ?? {}, `${subject} refers to a record that does not exist`, {
        cause: error,
      });
    }
    if (code === '42501' && typeof candidate.message === 'string' && /row-level security/.test(candidate.message)) {
      return new ForbiddenError('The record would be outside the organisation units you may change', { cause: error });
    }
  }
  if (isConnectionError(error)) {
    return new ServiceUnavailableError('A service this request needs is unreachable; try again shortly', {
      cause: error,
      retryAfterSeconds: databaseRetryAfterSeconds,
    });
  }
  return undefined;
}
