import { createHash } from 'node:crypto';
import { ConflictError, ValidationError, type TenantDb } from '@plinth/sdk';

/** What an idempotent operation answered, replayed for a repeated key. */
export interface IdempotentResult<T> {
  status: number;
  data: T;
}

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** Checks an `Idempotency-Key` header value: 1–255 visible ASCII characters; 422 otherwise. */
export function idempotencyKeyOf(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !KEY_PATTERN.test(header)) {
    throw new ValidationError({ 'Idempotency-Key': ['must be 1 to 255 visible ASCII characters'] });
  }
  return header;
}

/**
 * Runs `operation` once per `(scope, key)`: the key is claimed by inserting it under a unique constraint in the
 * caller's transaction, so a concurrent duplicate waits for the first to commit and then replays its answer (or
 * claims the key itself if the first rolled back). The same key with a different request is `422`.
 */
export async function idempotent<T>(
  db: TenantDb,
  scope: string,
  key: string | undefined,
  request: unknown,
  operation: () => Promise<IdempotentResult<T>>,
): Promise<IdempotentResult<T> & { replayed: boolean }> {
  if (key === undefined) return { ...(await operation()), replayed: false };
  const hash = createHash('sha256').update(canonicalJson(request)).digest('hex');
  const [claimed] = await db.query<{ id: string }>(
    `insert into payments_idempotency_keys (scope, key, request_hash) values ($1, $2, $3)
     on conflict (tenant_id, scope, key) do nothing returning id`,
    [scope, key, hash],
  );
  if (claimed) {
    const result = await operation();
    await db.query('update payments_idempotency_keys set response_status = $2, response = $3, updated_at = now() where id = $1', [
      claimed.id,
      result.status,
      JSON.stringify(result.data),
    ]);
    return { ...result, replayed: false };
  }
  const stored = await db.one<{ request_hash: string; response_status: number | null; response: T | null }>(
    'select request_hash, response_status, response from payments_idempotency_keys where scope = $1 and key = $2',
    [scope, key],
  );
  if (!stored || stored.request_hash !== hash) {
    throw new ValidationError({ 'Idempotency-Key': ['was already used with a different request'] }, 'Idempotency key reused with a different request');
  }
  if (stored.response_status === null) throw new ConflictError('A request with this idempotency key is still in progress');
  return { status: stored.response_status, data: stored.response as T, replayed: true };
}

/** JSON with object keys sorted, so equal bodies hash equally whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, inner]) => `${JSON.stringify(k)}:${canonicalJson(inner)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
