import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createKernel, loadConfig, startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/index.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'plinth-health-'));
chmodSync(scratch, 0o755);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function health(url: string) {
  const response = await fetch(`${url}/health`);
  return {
    status: response.status,
    body: (await response.json()) as { success: boolean; code?: string; data: { status: string; checks: Record<string, string> } },
  };
}

/** Polls until the predicate holds: the pool notices a dead or revived server on its next query, not at a known instant. */
async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('GET /health', () => {
  it('reports ok, goes 503 with db down when PostgreSQL stops, and recovers by itself when it returns', async () => {
    const dataDir = path.join(scratch, 'postgres');
    let server: EmbeddedPostgres = await startEmbeddedPostgres({ dataDir });
    const config = await loadConfig({
      env: { PORT: '0', LOG_LEVEL: 'silent', DATABASE_URL: server.url, PLINTH_DATA_DIR: scratch, PLINTH_ROLE: 'api' },
      cwd: scratch,
    });
    const kernel = await createKernel(config);
    await kernel.start();
    try {
      const up = await health(kernel.url!);
      expect(up.status).toBe(200);
      expect(up.body).toMatchObject({ success: true, data: { status: 'ok', checks: { db: 'up', cache: 'up', jobs: 'idle' } } });

      await server.stop();
      const down = await eventually(
        () => health(kernel.url!),
        (result) => result.status === 503,
      );
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({ success: false, code: 'service_unavailable', data: { status: 'degraded', checks: { db: 'down' } } });

      server = await startEmbeddedPostgres({ dataDir, port: server.port });
      const back = await eventually(
        () => health(kernel.url!),
        (result) => result.status === 200,
      );
      expect(back.status).toBe(200);
      expect(back.body.data.checks.db).toBe('up');
    } finally {
      await kernel.stop();
      await server.stop();
    }
  });
});
