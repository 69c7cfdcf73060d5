import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config/load-config.js';
import { createKernel, type Kernel, type KernelOptions } from '../kernel.js';
import type { CoreRoute } from '../http/route.js';
import type { Logger } from '../logger.js';
import { installPlugins, uninstallPlugin } from '../plugins/plugin-installer.js';
import type { MailAttachment, Plugin } from '@plinth/sdk';
import { testCustomer, testPageSession } from './customers.js';
import { signUp, type TestUser } from './fixtures.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';
import { parseMetricsText, type MetricsSnapshot } from '../metrics/metrics-text.js';

export interface TestKernel {
  kernel: Kernel;
  /** Base URL of the listening kernel, e.g. `http://127.0.0.1:40123`. */
  url: string;
  database: TestDatabase;
  /** `fetch` against the kernel: JSON bodies are encoded, JSON answers decoded into `body`. */
  request(method: string, path: string, options?: TestRequestOptions): Promise<TestResponse>;
  /** Uploads a file through `POST /api/v1/files` as `user`, as a browser sends it (multipart: `fields` first, then the file). */
  upload(
    user: { headers: Record<string, string> },
    file: { name: string; data: Buffer | string; type?: string },
    fields?: { visibility?: 'public' | 'private' },
  ): Promise<TestResponse>;
  /** The owners of the tenants asked for with `tenants`, by slug; their `headers` name the tenant. */
  tenants: Record<string, TestUser>;
  /**
   * A customer of a tenant (its slug, or its owner), made as `coreServices.customers.ensure` makes one and signed in
   * through a sign-in link: bearer `headers` naming the tenant (see `testing/customers.ts`).
   */
  customer(tenant: string | TestUser, email?: string): Promise<TestUser>;
  /** Signs a member or customer in on the tenant's pages (a real link, "Continue"): the page cookie, and headers with a same-site Origin. */
  pageSession(user: { id: string }, tenant: string | TestUser): Promise<{ cookie: string; headers: Record<string, string> }>;
  /** Enables a plugin for the user's tenant through the marketplace API (`with_dependencies`), failing loudly otherwise. */
  enable(user: { headers: Record<string, string> }, plugin: string, settings?: Record<string, unknown>): Promise<void>;
  /** Delivers every pending event now, in this process; returns how many were delivered and how many had a failing handler. */
  drainEvents(): Promise<{ delivered: number; failed: number }>;
  /** Waits until no job is due or running (bounded): the jobs queued so far have run. */
  drainJobs(timeoutMs?: number): Promise<void>;
  /** `GET /metrics`, parsed: read a metric's value with `value(name, labels)` (see {@link MetricsSnapshot}). */
  metrics(): Promise<MetricsSnapshot>;
  /** Writes the rows plugins queued with `coreServices.writeBehind` now (they are otherwise written within a second). */
  flushWrites(): Promise<void>;
  /** Mail the kernel sent (the development outbox), oldest first; only that to `to` when given. Attachments come back as sent. */
  mailbox(to?: string): Promise<
    {
      to: string;
      subject: string;
      text: string;
      html: string | null;
      headers: Record<string, string>;
      attachments: MailAttachment[];
      created_at: Date;
    }[]
  >;
  /** Runs SQL as the database owner, outside any tenant (assertions on stored state; not for what the API should do). */
  sql<Row = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<Row[]>;
  /** Runs a plugin's migrations down and up again on this database: they must be reversible. */
  checkMigrations(plugin: string): Promise<void>;
  /** Stops the kernel and drops its database (unless it was given one). */
  close(): Promise<void>;
}

export interface TestRequestOptions {
  body?: unknown;
  /** Request headers; a `host` header is sent as given (for plugins' host names), and then redirects are not followed. */
  headers?: Record<string, string>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  /** Decoded JSON, or the text when the answer is not JSON. */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary envelopes
}

export interface TestKernelOptions {
  /** Extra environment, e.g. `{ REDIS_URL: … }`. */
  env?: Record<string, string>;
  /** Logger to use instead of a silent one (e.g. to assert on log lines). */
  logger?: Logger;
  /** Plugins to install (definePlugin results). */
  plugins?: readonly Plugin[];
  /** Tenants to create (by slug), each with an owner, ready in `t.tenants[slug]`. */
  tenants?: readonly string[];
  /** Extra host routes (under /api/v1, behind the same request path as core's). */
  routes?: readonly CoreRoute[];
  /**
   * Services built by these factories instead of the kernel's (`KernelOptions.services`): a fake mailer, a clock
   * the test moves, an HTTP client allowed to call the test's loopback server.
   */
  services?: KernelOptions['services'];
  /** Called after the kernel is built and before it starts (add routes). */
  beforeStart?(kernel: Kernel): void | Promise<void>;
  /**
   * Boot on another test kernel's database instead of a fresh one (a second process, a restart,
   * an upgrade); `close()` then leaves it for its owner to drop.
   */
  database?: TestDatabase;
}

/** The test kernel's configuration and kernel, on the database at `databaseUrl` with its data in `dataDir`. */
async function boot(databaseUrl: string, dataDir: string, options: TestKernelOptions): Promise<Kernel> {
  const config = await loadConfig({
    env: {
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
      PLINTH_DATA_DIR: dataDir,
      PLINTH_JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
      // One key for every test kernel, as every process of a host shares one: kernels booted on one database open each
      // other's sealed secrets (the signing key's private part among them).
      PLINTH_ENCRYPTION_KEY: 'test-encryption-key-test-encryption-key-0123',
      PLINTH_JOBS_POLL_MS: '100',
      ...options.env,
    },
    cwd: dataDir,
  });
  return createKernel(config, {
    // An answer its route's response schema does not document fails the test that caused it (a 500, logged).
    checkResponses: true,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.plugins ? { plugins: options.plugins } : {}),
    ...(options.routes ? { routes: options.routes } : {}),
    ...(options.services ? { services: options.services } : {}),
  });
}

/**
 * A real kernel for tests: its own fresh database (cloned from the run's
 * migrated template), listening on a free loopback port, logs silenced.
 */
export async function createTestKernel(options: TestKernelOptions = {}): Promise<TestKernel> {
  const database = options.database ?? (await createTestDatabase());
  const ownsDatabase = !options.database;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'plinth-kernel-'));
  // A refused boot (a bad setting or plugin, a changed migration) leaves no scratch database, folder, pools or workers.
  const discard = async () => {
    if (ownsDatabase) await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  let kernel: Kernel;
  try {
    kernel = await boot(database.url, dataDir, options);
  } catch (error) {
    await discard();
    throw error;
  }
  try {
    await options.beforeStart?.(kernel);
    await kernel.start();
  } catch (error) {
    await kernel.stop();
    await discard();
    throw error;
  }
  const url = kernel.url!;
  const testKernel: TestKernel = {
    kernel,
    url,
    database,
    tenants: {},
    request: (method, route, requestOptions) => sendRequest(url, method, route, requestOptions),
    async upload(user, file, fields = {}) {
      const form = new FormData();
      for (const [name, value] of Object.entries(fields)) form.set(name, value);
      form.set('file', new Blob([typeof file.data === 'string' ? file.data : new Uint8Array(file.data)], file.type ? { type: file.type } : {}), file.name);
      const response = await fetch(`${url}/api/v1/files`, { method: 'POST', headers: user.headers, body: form });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
    },
    customer: (tenant, email) => testCustomer(testKernel, tenant, email),
    pageSession: (user, tenant) => testPageSession(testKernel, user, tenant),
    async enable(user, plugin, settings) {
      const response = await sendRequest(url, 'POST', `/api/v1/marketplace/${plugin}/enable?with_dependencies=true`, {
        headers: user.headers,
        body: settings ? { settings } : {},
      });
      if (response.status !== 200) throw new Error(`enabling ${plugin} failed: ${response.status} ${JSON.stringify(response.body)}`);
    },
    drainEvents: () => kernel.services.plugins.drainEvents(),
    drainJobs: (timeoutMs) => drainJobs(kernel, timeoutMs),
    metrics: async () => parseMetricsText(await (await fetch(`${url}/metrics`)).text()),
    flushWrites: () => kernel.services.writeBehind.flush(),
    async mailbox(to) {
      const { knex } = kernel.services.database;
      const query = knex('mail_outbox')
        .select('to', 'subject', 'text', 'html', 'headers', 'attachments', 'created_at')
        .orderBy([{ column: 'created_at' }, { column: 'id' }]);
      const rows: (Record<string, unknown> & { attachments: { filename: string; content_type: string; content: string }[] })[] = await (to
        ? query.where('to', to)
        : query);
      return rows.map(({ attachments, ...mail }) => ({
        ...(mail as { to: string; subject: string; text: string; html: string | null; headers: Record<string, string>; created_at: Date }),
        attachments: attachments.map((attachment) => ({
          filename: attachment.filename,
          contentType: attachment.content_type,
          content: Buffer.from(attachment.content, 'base64'),
        })),
      }));
    },
    async sql<Row>(text: string, values: readonly unknown[] = []) {
      const { database } = kernel.services;
      const client = await database.acquire();
      try {
        return (await client.query(text, values as unknown[])).rows as Row[];
      } finally {
        await database.release(client);
      }
    },
    async checkMigrations(name) {
      const { plugins, database } = kernel.services;
      const plugin = plugins.byName.get(name);
      if (!plugin) throw new Error(`plugin ${name} is not installed in this test kernel`);
      await uninstallPlugin(database.knex, plugin);
      await installPlugins(database.knex, [plugin]);
    },
    async close() {
      await kernel.stop();
      if (ownsDatabase) await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  for (const slug of options.tenants ?? []) testKernel.tenants[slug] = await signUp(testKernel, { tenant: { name: slug, slug } });
  return testKernel;
}

async function sendRequest(baseUrl: string, method: string, route: string, options: TestRequestOptions = {}): Promise<TestResponse> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  // fetch drops a Host header; node:http sends it.
  const hasHost = Object.keys(headers).some((name) => name.toLowerCase() === 'host');
  const response = hasHost ? await requestWithHost(`${baseUrl}${route}`, method, headers, body) : await fetch(`${baseUrl}${route}`, { method, headers, body });
  const text = await response.text();
  let decoded: unknown = text;
  if (response.headers.get('content-type')?.includes('json') && text) decoded = JSON.parse(text);
  return { status: response.status, headers: response.headers, body: decoded };
}

function requestWithHost(url: string, method: string, headers: Record<string, string>, body: string | undefined): Promise<Response> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { method, headers }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('error', reject);
      incoming.on('end', () => {
        const answer = new Headers();
        for (const [name, value] of Object.entries(incoming.headers)) for (const item of [value ?? []].flat()) answer.append(name, item);
        const status = incoming.statusCode!;
        resolve(new Response([101, 204, 205, 304].includes(status) ? null : Buffer.concat(chunks), { status, headers: answer }));
      });
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

async function drainJobs(kernel: Kernel, timeoutMs = 15_000): Promise<void> {
  const { knex } = kernel.services.database;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const busy = await knex('plinth_jobs')
      .where((query) => query.whereNotNull('locked_at').orWhere((due) => due.where('next_run_at', '<=', knex.fn.now()).whereNull('repeat_interval')))
      .where('disabled', false)
      .count<{ count: number }[]>('* as count');
    if (Number(busy[0]?.count ?? 0) === 0) return;
    if (Date.now() > deadline) throw new Error(`jobs still due or running after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
