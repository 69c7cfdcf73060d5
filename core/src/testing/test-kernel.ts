import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config/load-config.js';
import { createKernel, type Kernel } from '../kernel.js';
import type { Logger } from '../logger.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface TestKernel {
  kernel: Kernel;
  /** Base URL of the listening kernel, e.g. `http://127.0.0.1:40123`. */
  url: string;
  database: TestDatabase;
  /** `fetch` against the kernel: JSON bodies are encoded, JSON answers decoded into `body`. */
  request(method: string, path: string, options?: TestRequestOptions): Promise<TestResponse>;
  /** Stops the kernel and drops its database. */
  close(): Promise<void>;
}

export interface TestRequestOptions {
  body?: unknown;
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
  /** Called after the kernel is built and before it starts: add routes, register services. */
  beforeStart?(kernel: Kernel): void | Promise<void>;
}

/**
 * A real kernel for tests: its own fresh database (cloned from the run's
 * migrated template), listening on a free loopback port, logs silenced.
 */
export async function createTestKernel(options: TestKernelOptions = {}): Promise<TestKernel> {
  const database = await createTestDatabase();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'plinth-kernel-'));
  const config = await loadConfig({
    env: {
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
      PLINTH_DATA_DIR: dataDir,
      PLINTH_JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
      PLINTH_JOBS_POLL_MS: '100',
      ...options.env,
    },
    cwd: dataDir,
  });
  const kernel = await createKernel(config, options.logger ? { logger: options.logger } : {});
  await options.beforeStart?.(kernel);
  await kernel.start();
  const url = kernel.url!;
  return {
    kernel,
    url,
    database,
    request: (method, route, requestOptions) => sendRequest(url, method, route, requestOptions),
    async close() {
      await kernel.stop();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function sendRequest(baseUrl: string, method: string, route: string, options: TestRequestOptions = {}): Promise<TestResponse> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${baseUrl}${route}`, { method, headers, body });
  const text = await response.text();
  let decoded: unknown = text;
  if (response.headers.get('content-type')?.includes('json') && text) decoded = JSON.parse(text);
  return { status: response.status, headers: response.headers, body: decoded };
}
