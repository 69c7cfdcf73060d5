import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSdk } from '../../src/telemetry/sdk.js';
import { tracingRequested, type Tracing } from '../../src/telemetry/setup.js';
import { tracing } from '../../src/telemetry/tracing.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { startReceiver, type Receiver } from './fixtures/receiver.js';
import { seenPayloads, tracerPlugin } from './fixtures/tracer-plugin.js';

// With no SDK registered when the kernel is created, the kernel makes no spans and sends no trace context. An SDK
// registered later (here, to see whether anything reaches it) changes nothing: the kernel composed without spans.

const exporter = new InMemorySpanExporter();
let late: Tracing | undefined;
let t: TestKernel;
let owner: TestUser;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  t = await createTestKernel({ plugins: [tracerPlugin], env: { PLINTH_HTTP_ALLOW_LOOPBACK: 'true' } });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'tracer');
  await t.drainJobs();
  // Registered as a host's own setup would, after the kernel looked for one (`detectTracing` is not called again).
  late = startSdk({ role: 'all', spanProcessors: [new SimpleSpanProcessor(exporter)] }, {});
});
afterAll(async () => {
  await t?.close();
  await receiver?.close();
  await late?.shutdown();
});

describe('tracing without an SDK', () => {
  it('is asked for by the OTLP endpoint or a traces exporter, unless disabled', () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'console' })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(false);
    expect(tracingRequested({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(false);
  });

  it('serves the whole path (request, event, job, webhook) with no span and no traceparent sent on', async () => {
    expect(tracing).toBe(false);
    const response = await t.request('POST', '/api/v1/tracer/things', {
      headers: { ...owner.headers, traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      body: { label: 'untraced', url: receiver.url },
    });
    expect(response.status).toBe(200);
    await expect.poll(() => receiver.received.length, { timeout: 20_000, interval: 50 }).toBe(1);
    await t.drainJobs();
    expect(receiver.received[0]!.traceparent).toBeUndefined();
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect(seenPayloads).toEqual([{ label: 'untraced', url: receiver.url }]);
    // Nothing stored a trace context: not the jobs' data, not the job outbox, not the events.
    const stored = await t.sql<{ count: number }>(
      `select (select count(*) from plinth_jobs where data ? '_trace') + (select count(*) from plinth_job_outbox where data ? '_trace')
            + (select count(*) from plinth_events where trace is not null) as count`,
    );
    expect(stored[0]!.count).toBe(0);
  });
});
