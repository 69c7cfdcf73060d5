import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepEvents } from '../../src/events/sweep.js';
import { startTracing, type Tracing } from '../../src/telemetry/setup.js';
import { tracing } from '../../src/telemetry/tracing.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { startReceiver, type Receiver } from './fixtures/receiver.js';
import { seenPayloads, tracerPlugin } from './fixtures/tracer-plugin.js';

// One request's trace, collected in memory: from the HTTP server span through its stages and statements, the event
// it emits, the job that event's handler queues, to the webhook that job calls, which receives the trace's context.

const exporter = new InMemorySpanExporter();
let sdk: Tracing | undefined;
let t: TestKernel;
let owner: TestUser;
let receiver: Receiver;

beforeAll(async () => {
  sdk = await startTracing({ role: 'all', spanProcessors: [new SimpleSpanProcessor(exporter)] });
  receiver = await startReceiver();
  t = await createTestKernel({ plugins: [tracerPlugin], env: { PLINTH_HTTP_ALLOW_LOOPBACK: 'true' } });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'tracer');
  await t.drainJobs();
});
afterAll(async () => {
  await t?.close();
  await receiver?.close();
  await sdk?.shutdown();
});

/** The span's parent's id, or undefined for a root. */
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan) => span.spanContext().spanId;

/** Whether `ancestor` is on the way from `span` up to its trace's root, within `spans`. */
function descends(span: ReadableSpan, ancestor: ReadableSpan, spans: readonly ReadableSpan[]): boolean {
  const byId = new Map(spans.map((candidate) => [idOf(candidate), candidate]));
  for (let current: ReadableSpan | undefined = span; current; current = byId.get(parentOf(current) ?? '')) {
    if (parentOf(current) === idOf(ancestor)) return true;
  }
  return false;
}

describe('tracing with an SDK registered', () => {
  it('is on for the kernel', () => {
    expect(tracing).toBe(true);
  });

  it("follows one request from HTTP to the webhook's delivery in one trace, continuing the caller's traceparent", async () => {
    // The caller (a proxy) started the trace: the request's spans continue it.
    const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';
    const response = await t.request('POST', '/api/v1/tracer/things', {
      headers: { ...owner.headers, traceparent: `00-${callerTrace}-${callerSpan}-01` },
      body: { label: 'first', url: receiver.url },
    });
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-request-id');

    const trace = () => exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === callerTrace);
    // A span is exported when it ends: the webhook's job can end before the dispatch job that queued it does.
    const ended = (name: string) => trace().some((span) => span.name === name);
    await expect.poll(() => ended('job tracer.webhook.send') && ended('job core.events.dispatch'), { timeout: 20_000, interval: 50 }).toBe(true);
    const spans = trace();
    const named = (name: string) => spans.filter((span) => span.name === name);
    const one = (name: string) => {
      const found = named(name);
      expect(found, `one span named ${name} in ${spans.map((span) => span.name).join(', ')}`).toHaveLength(1);
      return found[0]!;
    };

    const server = one('POST /api/v1/tracer/things');
    expect(server.kind).toBe(SpanKind.SERVER);
    expect(parentOf(server)).toBe(callerSpan);
    expect(server.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/api/v1/tracer/things',
      'http.response.status_code': 200,
      'request.id': requestId,
      'tenant.id': owner.tenant!.id,
      plugin: 'tracer',
    });

    // Each stage of the route's pipeline, a child of the server span, in order.
    const stages = spans.filter((span) => span.name.startsWith('stage ') && parentOf(span) === idOf(server));
    expect(stages.map((span) => span.name)).toEqual(
      expect.arrayContaining([
        'stage resolveTenant',
        'stage authenticate',
        'stage gate',
        'stage authorize',
        'stage readBody',
        'stage validate',
        'stage run',
        'stage reply',
      ]),
    );
    const run = one('stage run');
    expect(run.attributes).toMatchObject({ 'tenant.id': owner.tenant!.id, plugin: 'tracer' });

    // The handler's statements: its insert, and the event's, in the tenant's transaction.
    const insert = spans.find((span) => span.name === 'INSERT' && String(span.attributes['db.statement']).includes('tracer_things'))!;
    expect(insert, 'the insert into tracer_things').toBeDefined();
    expect(insert.kind).toBe(SpanKind.CLIENT);
    expect(parentOf(insert)).toBe(idOf(run));
    expect(insert.attributes).toMatchObject({
      'db.system': 'postgresql',
      'tenant.id': owner.tenant!.id,
      'db.statement': 'insert into tracer_things (label) values ($1)',
    });
    expect(JSON.stringify(insert.attributes)).not.toContain('first');
    expect(
      spans.some((span) => span.name === 'INSERT' && String(span.attributes['db.statement']).includes('plinth_events') && descends(span, run, spans)),
    ).toBe(true);

    // The event keeps the context it was emitted in; its delivery (the dispatch job, then the handler) continues it.
    const stored = await t.sql<{ trace: unknown }>("select trace from plinth_events where name = 'tracer.thing.made'");
    expect(stored).toEqual([{ trace: { traceparent: `00-${callerTrace}-${idOf(run)}-01` } }]);
    const dispatch = one('job core.events.dispatch');
    expect(dispatch.kind).toBe(SpanKind.CONSUMER);
    expect(descends(dispatch, run, spans)).toBe(true);
    expect(dispatch.attributes).toMatchObject({ 'tenant.id': owner.tenant!.id, 'job.attempt': 1 });
    const delivery = one('event tracer.thing.made');
    expect(parentOf(delivery)).toBe(idOf(dispatch));
    expect(delivery.attributes).toMatchObject({ plugin: 'tracer', 'tenant.id': owner.tenant!.id, 'event.name': 'tracer.thing.made' });

    // The job the handler queued, and its call out.
    const job = one('job tracer.webhook.send');
    expect(descends(job, delivery, spans)).toBe(true);
    expect(job.attributes).toMatchObject({ 'job.name': 'tracer.webhook.send', 'job.attempt': 1, 'tenant.id': owner.tenant!.id, plugin: 'tracer' });
    const call = spans.find((span) => span.kind === SpanKind.CLIENT && span.name === 'POST' && parentOf(span) === idOf(job))!;
    expect(call, 'the webhook call').toBeDefined();
    expect(call.attributes).toMatchObject({ 'http.request.method': 'POST', 'url.full': receiver.url, 'http.response.status_code': 204 });

    // The receiver got the trace's context: the call's own span is its parent.
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.traceparent).toBe(`00-${callerTrace}-${idOf(call)}-01`);
    // …and the job's handler never saw the context its data carried, which the job system kept.
    expect(seenPayloads).toEqual([{ label: 'first', url: receiver.url }]);
    const kept = await t.sql<{ traceparent: string }>(
      "select data->'_trace'->>'traceparent' as traceparent from plinth_jobs where name = 'tracer.webhook.send'",
    );
    expect(kept).toEqual([{ traceparent: `00-${callerTrace}-${idOf(delivery)}-01` }]);
  });

  it('starts a trace of its own for a request without a traceparent, and marks 4xx answers without failing the span', async () => {
    exporter.reset();
    const response = await t.request('POST', '/api/v1/tracer/things', { headers: owner.headers, body: { label: 7 } });
    expect(response.status).toBe(422);
    await expect.poll(() => exporter.getFinishedSpans().some((span) => span.kind === SpanKind.SERVER), { timeout: 5000, interval: 20 }).toBe(true);
    const server = exporter.getFinishedSpans().find((span) => span.kind === SpanKind.SERVER)!;
    expect(parentOf(server)).toBeUndefined();
    expect(server.attributes).toMatchObject({ 'http.response.status_code': 422, 'tenant.id': owner.tenant!.id });
    expect(server.status.code).not.toBe(2);
    const validate = exporter.getFinishedSpans().find((span) => span.name === 'stage validate')!;
    expect(validate.spanContext().traceId).toBe(server.spanContext().traceId);
    expect(validate.status.code).toBe(2);
    expect(exporter.getFinishedSpans().some((span) => span.name === 'stage run')).toBe(false);
  });

  it('continues the trace an event was emitted in when the sweeper queues its delivery after a crash', async () => {
    exporter.reset();
    // What a process that died between the commit and the queueing leaves: an event, undelivered, no job for it.
    const emitterTrace = '0af7651916cd43dd8448eb211c80319c';
    const emitterSpan = 'b7ad6b7169203331';
    const [event] = await t.sql<{ id: string }>(
      `insert into plinth_events (tenant_id, name, payload, emitted_by, created_at, enqueued_at, trace)
       values ($1, 'tracer.thing.made', $2, 'tracer', now() - interval '1 minute', now() - interval '1 minute', $3) returning id`,
      [owner.tenant!.id, JSON.stringify({ label: 'swept', url: receiver.url }), JSON.stringify({ traceparent: `00-${emitterTrace}-${emitterSpan}-01` })],
    );
    // The kernel's sweeper runs every 10 s; run it now (whichever queues the delivery, it carries the event's trace).
    await sweepEvents(t.kernel.services.database, t.kernel.services.jobs);
    const delivered = () => exporter.getFinishedSpans().find((span) => span.name === 'job core.events.dispatch' && span.spanContext().traceId === emitterTrace);
    await expect.poll(() => delivered() !== undefined, { timeout: 20_000, interval: 50 }).toBe(true);
    expect(parentOf(delivered()!)).toBe(emitterSpan);
    await expect.poll(() => receiver.received.length, { timeout: 20_000, interval: 50 }).toBe(2);
    expect(receiver.received[1]!.traceparent).toMatch(new RegExp(`^00-${emitterTrace}-[0-9a-f]{16}-01$`));
    expect((await t.sql('select 1 from plinth_events where id = $1 and dispatched_at is not null', [event!.id])).length).toBe(1);
  });

  it('makes no spans for a trace its caller did not sample, and passes the decision on', async () => {
    exporter.reset();
    const unsampled = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const before = receiver.received.length;
    const response = await t.request('POST', '/api/v1/tracer/things', {
      headers: { ...owner.headers, traceparent: `00-${unsampled}-00f067aa0ba902b7-00` },
      body: { label: 'unsampled', url: receiver.url },
    });
    expect(response.status).toBe(200);
    await expect.poll(() => receiver.received.length, { timeout: 20_000, interval: 50 }).toBe(before + 1);
    expect(receiver.received[before]!.traceparent).toMatch(new RegExp(`^00-${unsampled}-[0-9a-f]{16}-00$`));
    await t.drainJobs();
    expect(exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === unsampled)).toEqual([]);
  });
});
