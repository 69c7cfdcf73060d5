import { RefusedDestinationError } from '@plinth/sdk';
import type { Deps, Settings } from '../deps.js';
import type { Runtime } from '../options.js';
import { messageOf, truncate } from '../util.js';
import { countAbandoned, recordAttempt, type AttemptFailure } from './delivery-metrics.js';
import { disableEndpoint } from './disable-endpoint.js';
import { nextAttemptAt } from './schedule.js';
import { webhookHeaders } from './signature.js';

const LOGGED_REQUEST_CHARS = 8_192;
const LOGGED_RESPONSE_BYTES = 4_096;

interface DeliveryRow {
  id: string;
  endpoint_id: string;
  message_id: string;
  body: string;
  status: string;
  attempt_count: number;
  url: string;
  enabled: boolean;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: Date | null;
  failing_since: Date | null;
}

type DeliverDeps = Pick<Deps, 'db' | 'jobs' | 'events' | 'notify' | 'logger' | 'secrets' | 'clock' | 'http' | 'audit' | 'metrics'>;

/** What a receiver answered (the body cut at what the attempt log keeps). */
interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * One attempt at a delivery: signs it (with the previous secret too during a rotation's overlap), posts it through
 * the kernel's guarded client (`coreServices.http`: internal destinations are refused, redirects not followed), logs the attempt, and settles the outcome — 2xx succeeds; 410 disables the endpoint;
 * anything else schedules the next retry (automatic attempts only) and may disable an endpoint failing for too long.
 */
export async function attemptDelivery(deps: DeliverDeps, runtime: Runtime, settings: Settings, deliveryId: string, manual: boolean): Promise<void> {
  const row = await deps.db.one<DeliveryRow>(
    `select d.id, d.endpoint_id, d.message_id, d.body, d.status, d.attempt_count, e.url, e.enabled, e.secret_sealed,
            e.previous_secret_sealed, e.previous_secret_expires_at, e.failing_since
       from integrations_deliveries d join integrations_endpoints e on e.id = d.endpoint_id
      where d.id = $1 for update of d`,
    [deliveryId],
  );
  if (!row || (!manual && row.status !== 'pending')) return;
  const now = deps.clock.now();
  if (!row.enabled) {
    if (row.status === 'pending') {
      await settle(deps, row.id, 'failed', { next: null, status: null, error: 'endpoint disabled' }, now);
      countAbandoned(deps.metrics);
    }
    return;
  }
  const secrets = [deps.secrets.open(row.secret_sealed)];
  if (row.previous_secret_sealed && row.previous_secret_expires_at && row.previous_secret_expires_at > now) {
    secrets.push(deps.secrets.open(row.previous_secret_sealed));
  }
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'Plinth-Webhooks/0.1',
    ...webhookHeaders(secrets, row.message_id, Math.floor(now.getTime() / 1000), row.body),
  };
  const attempt = row.attempt_count + 1;
  const started = Date.now();
  let response: Answer | undefined;
  let error: string | undefined;
  let refused = false;
  try {
    const answer = await deps.http.fetch(row.url, { method: 'POST', headers, body: row.body, timeoutMs: runtime.deliveryTimeoutMs });
    const answerHeaders: Record<string, string> = {};
    answer.headers.forEach((value, name) => (answerHeaders[name] = value));
    response = { status: answer.status, headers: answerHeaders, body: await readAtMost(answer, LOGGED_RESPONSE_BYTES) };
  } catch (caught) {
    refused = caught instanceof RefusedDestinationError;
    error = refused ? `refused destination: ${(caught as Error).message}` : messageOf(caught);
  }
  const failed: AttemptFailure | null = refused
    ? 'refused'
    : !response
      ? 'no_answer'
      : response.status === 410
        ? 'gone'
        : response.status >= 200 && response.status < 300
          ? null
          : 'http_error';
  recordAttempt(deps.metrics, (Date.now() - started) / 1000, failed);
  await deps.db.query(
    `insert into integrations_delivery_attempts
       (delivery_id, attempt, manual, url, request_headers, request_body, response_status, response_headers, response_body, error, duration_ms, attempted_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      row.id,
      attempt,
      manual,
      row.url,
      JSON.stringify(headers),
      truncate(row.body, LOGGED_REQUEST_CHARS),
      response?.status ?? null,
      response ? JSON.stringify(response.headers) : null,
      response ? truncate(response.body, LOGGED_RESPONSE_BYTES) : null,
      error ?? null,
      Date.now() - started,
      now,
    ],
  );
  await deps.db.query('update integrations_deliveries set attempt_count = $2, updated_at = now() where id = $1', [row.id, attempt]);
  const status = response?.status ?? null;
  if (status !== null && status >= 200 && status < 300) {
    await settle(deps, row.id, 'succeeded', { next: null, status, error: null }, now);
    await deps.db.query('update integrations_endpoints set failing_since = null where id = $1', [row.endpoint_id]);
    return;
  }
  const failure = error ?? `receiver answered ${status}`;
  if (status === 410) {
    await settle(deps, row.id, 'failed', { next: null, status, error: failure }, now);
    countAbandoned(deps.metrics);
    await disableEndpoint(deps, { id: row.endpoint_id, url: row.url }, { kind: 'gone' }, now);
    return;
  }
  if (manual) {
    await settle(deps, row.id, row.status === 'pending' ? 'pending' : 'failed', { next: undefined, status, error: failure }, now);
  } else {
    // The schedule counts automatic attempts only: a manual redelivery in between does not skip a step.
    const [automatic] = await deps.db.query<{ count: number }>(
      'select count(*)::int as count from integrations_delivery_attempts where delivery_id = $1 and not manual',
      [row.id],
    );
    const next = nextAttemptAt(now, automatic?.count ?? attempt);
    await settle(deps, row.id, next ? 'pending' : 'failed', { next: next ?? null, status, error: failure }, now);
    if (!next) countAbandoned(deps.metrics);
    if (next) await deps.jobs.enqueue('integrations.webhook.deliver', { deliveryId: row.id }, { delayMs: Math.max(0, next.getTime() - now.getTime()) });
  }
  const failingSince = row.failing_since ?? now;
  await deps.db.query('update integrations_endpoints set failing_since = $2 where id = $1', [row.endpoint_id, failingSince]);
  if (now.getTime() - failingSince.getTime() >= settings.disableEndpointAfterHours * 3_600_000) {
    await disableEndpoint(deps, { id: row.endpoint_id, url: row.url }, { kind: 'failing', hours: settings.disableEndpointAfterHours }, now);
  }
}

async function settle(
  deps: Pick<Deps, 'db'>,
  id: string,
  status: 'pending' | 'succeeded' | 'failed',
  outcome: { next: Date | null | undefined; status: number | null; error: string | null },
  now: Date,
): Promise<void> {
  await deps.db.query(
    `update integrations_deliveries
        set status = $2, next_attempt_at = case when $3::boolean then $4::timestamptz else next_attempt_at end,
            last_status = $5, last_error = $6, completed_at = $7, updated_at = now()
      where id = $1`,
    [id, status, outcome.next !== undefined, outcome.next ?? null, outcome.status, outcome.error, status === 'pending' ? null : now],
  );
}

/** The first `maxBytes` of the answer's body (then the rest is dropped unread), as text. */
async function readAtMost(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < maxBytes) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value.subarray(0, maxBytes - size));
    size += value.length;
  }
  await reader.cancel().catch(() => undefined);
  return Buffer.concat(chunks).toString('utf8');
}
