import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '@plinth/core';

/** Runs `statements` one after the other on a fresh connection to `connectionString`. */
async function run(connectionString, ...statements) {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * A fresh, empty database `name` for one benchmark: on DATABASE_URL's server when set, otherwise on an embedded
 * PostgreSQL in a temporary folder. A database of that name left by an earlier run is dropped first.
 * `dispose()` drops it and stops the embedded server; with BENCH_KEEP set (and DATABASE_URL), it keeps the database.
 *
 * @example
 * const database = await scratchDatabase('plinth_bench');
 * try { … database.url … } finally { await database.dispose(); }
 */
export async function scratchDatabase(name) {
  let embedded;
  let scratch;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    scratch = mkdtempSync(path.join(tmpdir(), 'plinth-bench-'));
    chmodSync(scratch, 0o755);
    embedded = await startEmbeddedPostgres({ dataDir: path.join(scratch, 'postgres') });
    serverUrl = embedded.url;
  }
  await run(serverUrl, `drop database if exists ${name} with (force)`, `create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async dispose() {
      if (process.env.BENCH_KEEP && !embedded) return;
      await run(serverUrl, `drop database if exists ${name} with (force)`);
      await embedded?.stop();
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    },
  };
}
