import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createKernel, loadConfig, startEmbeddedPostgres } from '../../src/index.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'plinth-embedded-'));
chmodSync(scratch, 0o755);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the embedded PostgreSQL', () => {
  it('is what a kernel with no DATABASE_URL boots on, and stops with it', async () => {
    const dataDir = path.join(scratch, 'kernel');
    const config = await loadConfig({ env: { PORT: '0', LOG_LEVEL: 'silent', PLINTH_DATA_DIR: dataDir }, cwd: scratch });
    const kernel = await createKernel(config);
    await kernel.start();
    const response = await fetch(`${kernel.url}/health`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: { checks: { db: string } } }).data.checks.db).toBe('up');
    const pidFile = path.join(dataDir, 'postgres', 'postmaster.pid');
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    expect(isAlive(pid)).toBe(true);
    await kernel.stop();
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(pidFile)).toBe(false);
  });

  it('restarts on its existing data, and stops a server orphaned by a killed parent', async () => {
    const dataDir = path.join(scratch, 'orphan');
    const first = await startEmbeddedPostgres({ dataDir });
    const pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    // Simulate a SIGKILLed parent: the server runs on, but nobody owns it.
    const second = await startEmbeddedPostgres({ dataDir });
    expect(isAlive(pid)).toBe(false);
    expect(second.port).not.toBe(0);
    await second.stop();
    await first.stop();
  });
});
