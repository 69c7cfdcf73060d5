import type { PluginMetrics } from '@plinth/sdk';

/** Why an attempt failed: the receiver answered non-2xx (`http_error`), 410 (`gone`), did not answer, or was refused (internal address). */
export type AttemptFailure = 'http_error' | 'gone' | 'no_answer' | 'refused';

const buckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Records one delivery attempt: its latency in `plinth_integrations_webhook_delivery_seconds` (by outcome: the
 * `_count` series give the failure ratio) and, when it failed, why in `plinth_integrations_webhook_failures_total`.
 */
export function recordAttempt(metrics: PluginMetrics, seconds: number, failure: AttemptFailure | null): void {
  metrics
    .histogram('webhook_delivery_seconds', {
      help: 'Webhook delivery attempts: time to the answer, by outcome',
      buckets,
      labels: { outcome: ['succeeded', 'failed'] },
    })
    .observe(seconds, { outcome: failure ? 'failed' : 'succeeded' });
  if (failure) {
    metrics
      .counter('webhook_failures_total', {
        help: 'Failed webhook delivery attempts, by reason',
        labels: { reason: ['http_error', 'gone', 'no_answer', 'refused'] },
      })
      .inc({ reason: failure });
  }
}

/** Counts a delivery given up (its retries used up, its endpoint gone or disabled) in `plinth_integrations_webhook_deliveries_abandoned_total`. */
export function countAbandoned(metrics: PluginMetrics): void {
  metrics.counter('webhook_deliveries_abandoned_total', { help: 'Webhook deliveries given up: no attempt left' }).inc();
}
