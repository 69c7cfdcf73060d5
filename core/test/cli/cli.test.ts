import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../src/testing/index.js';

// The CLI runs from the build (`npm test` builds first), exactly as a host runs it.
const bin = fileURLToPath(new URL('../../bin/plinth.js', import.meta.url));
const cwd = mkdtempSync(path.join(tmpdir(), 'plinth-cli-'));
const baseEnv = { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', PLINTH_JWT_SECRET: 'cli-test-secret-cli-test-secret-012345' };

function plinth(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, env: { ...baseEnv, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

describe('plinth CLI', () => {
  it.each(['start', 'migrate', 'doctor', 'version'])('has --help for %s', (command) => {
    const result = plinth([command, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: plinth ${command}`);
  });

  it('lists its commands and prints its version', () => {
    const help = plinth(['--help']);
    for (const command of ['start', 'migrate', 'doctor', 'version']) expect(help.stdout).toContain(command);
    expect(plinth(['version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('stops on a bad value with one line naming the variable, and no stack trace', () => {
    const result = plinth(['start'], { PORT: 'eighty' });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('plinth: PORT must be an integer from 0 to 65535 (0 picks a free port) (got "eighty")');
  });

  it('refuses an unknown role', () => {
    const result = plinth(['start', '--role', 'cook']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('Allowed choices are api, worker, all');
  });

  it('migrates and reports migration status', () => {
    const fresh = plinth(['migrate', '--status'], { DATABASE_URL: db.url });
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toMatch(/applied {2}core\/001-runtime-role/);
    const run = plinth(['migrate'], { DATABASE_URL: db.url });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Nothing to apply.');
  });

  it('doctor says what is wrong and how to fix it', () => {
    const result = plinth(['doctor'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none', REDIS_URL: 'redis://127.0.0.1:1' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL {2}database: .*ECONNREFUSED/);
    expect(result.stdout).toMatch(/FAIL {2}cache: Redis at redis:\/\/127.0.0.1:1 does not answer/);
    expect(result.stdout).toContain('fix: start the PostgreSQL server');
    expect(result.stdout).toContain('2 problem(s) found.');
  });

  it('doctor passes on a healthy setup', () => {
    const result = plinth(['doctor'], { DATABASE_URL: db.url });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('ok    database: PostgreSQL');
    expect(result.stdout).toContain('Everything looks right.');
  });

  it('start serves until SIGTERM, then exits 0', async () => {
    const child = spawn(process.execPath, [bin, 'start', '--port', '0'], { cwd, env: { ...baseEnv, DATABASE_URL: db.url } });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /running at (http:\/\/\S+)/.exec(out);
        if (match) resolve(match[1]!);
      });
      child.once('exit', () => reject(new Error(`exited before listening: ${out}`)));
    });
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
