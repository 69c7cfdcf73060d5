import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '@plinth/core';
import { childrenCpu, parentPid } from './proc.js';

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

/**
 * The CPU time of the PostgreSQL backends serving `databaseUrl`'s database, on a server running on this machine:
 * the postmaster's children whose process title names the database. `snapshot()` records each backend's CPU time;
 * `usedSince(snapshot)` sums, in µs, what the backends alive now used after it (a backend started since counts whole;
 * the last moments of one that exited are lost, so the servers' pools should keep their connections under load).
 *
 * @example
 * const postgres = await postgresCpu(database.url);
 * const before = postgres.snapshot(); … load … const µs = postgres.usedSince(before);
 */
export async function postgresCpu(databaseUrl) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  let postmaster;
  try {
    const [{ pid }] = (await client.query('select pg_backend_pid() as pid')).rows;
    postmaster = parentPid(pid);
  } catch (error) {
    throw new Error(`the CPU time of PostgreSQL at ${new URL(databaseUrl).host} cannot be read: it must run on this machine (${error.message})`);
  } finally {
    await client.end();
  }
  const title = ` ${new URL(databaseUrl).pathname.slice(1)} `;
  const snapshot = () => childrenCpu(postmaster, title);
  return {
    snapshot,
    usedSince(before) {
      let used = 0;
      for (const [pid, cpu] of snapshot()) used += cpu - (before.get(pid) ?? 0);
      return used;
    },
  };
}

/** The bare baseline's table (see `bareTarget`): `bench_items` of `rows` rows, ids 1 to `rows`, no tenant, no RLS. */
export async function createBenchItems(databaseUrl, rows) {
  await run(
    databaseUrl,
    'create table bench_items (id int primary key, name text not null, price int not null)',
    `insert into bench_items select g, 'item ' || g, g * 100 from generate_series(1, ${rows}) g`,
  );
}
