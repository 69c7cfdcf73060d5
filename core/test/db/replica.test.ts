// Read replicas (issue 25, ADR 0013): a real streaming replica of a primary this test starts from the embedded
// PostgreSQL binaries. Read-only routes are served by the replica, a session reads its own writes, a read-only route
// cannot write, tenants stay apart on the replica, and reads fall back to the primary when the replica is down.
import { coreServices, defineMigration, definePermissions, definePlugin, Type } from '@plinth/sdk';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDatabaseExists } from '../../src/db/connect.js';
import { createDatabase } from '../../src/db/database.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded-postgres.js';
import { ReadOnlyTransactionError, Replica } from '../../src/db/replica.js';
import { LazyTransaction } from '../../src/db/scoped-db.js';
import { defineRoute } from '../../src/http/route.js';
import { checkRoutes } from '../../src/http/route-checks.js';
import { addMember, createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';

const notesPermissions = definePermissions('notes', {
  'notes.manage': { description: 'Read and write notes', grantTo: ['admin', 'member'] },
});

/** What a read answers: the tenant's notes, and whether a standby served them. */
const Read = Type.Object({ bodies: Type.Array(Type.String()), replica: Type.Boolean() });
const readNotes = 'select coalesce(array_agg(body order by body), array[]::text[]) as bodies, pg_is_in_recovery() as replica from notes_items';

const notesPlugin = definePlugin({
  name: 'notes',
  version: '1.0.0',
  title: 'Notes',
  description: 'Reads and writes for the replica test',
  category: 'testing',
  requires: { core: '>=0.1.0' },
  deps: { db: coreServices.db },
  permissions: notesPermissions,
  migrations: [
    defineMigration({
      name: '001-notes',
      async up({ createTenantTable }) {
        await createTenantTable('notes_items', (table) => table.text('body').notNullable());
      },
      async down({ db }) {
        await db.schema.dropTable('notes_items');
      },
    }),
  ],
  routes: ({ route }) => [
    route({
      method: 'GET',
      readOnly: true,
      path: '/notes',
      summary: "The tenant's notes, and which server answered",
      permission: notesPermissions['notes.manage'],
      schema: { response: Read },
      async handler({ deps }) {
        return (await deps.db.one<{ bodies: string[]; replica: boolean }>(readNotes))!;
      },
    }),
    route({
      method: 'POST',
      path: '/notes',
      summary: 'Adds a note',
      permission: notesPermissions['notes.manage'],
      schema: { body: Type.Object({ body: Type.String() }), response: Type.Object({ ok: Type.Boolean() }) },
      async handler({ body, deps }) {
        await deps.db.query('insert into notes_items (body) values ($1)', [body.body]);
        return { ok: true };
      },
    }),
    route({
      method: 'GET',
      readOnly: true,
      path: '/notes/sneaky',
      summary: 'A read-only route that tries to write',
      permission: notesPermissions['notes.manage'],
      schema: { response: Type.Object({ ok: Type.Boolean() }) },
      async handler({ deps }) {
        await deps.db.query('select 1 from notes_items limit 1');
        await deps.db.query("insert into notes_items (body) values ('sneaky')");
        return { ok: true };
      },
    }),
  ],
});

/** Polls `check` until it returns true, or fails naming `what` after `timeoutMs`. */
async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(50);
  }
}

/** Runs one statement on the server of `url` as its superuser. */
async function sqlOn<Row = Record<string, unknown>>(url: string, text: string, values: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query(text, values)).rows as Row[];
  } finally {
    await client.end();
  }
}

/** Copies a running cluster's files, leaving out what a base backup leaves out (WAL, the pid file, temporary files). */
function copyCluster(from: string, to: string): void {
  mkdirSync(to, { recursive: true, mode: 0o700 });
  for (const name of readdirSync(from)) {
    if (['postmaster.pid', 'postmaster.opts'].includes(name)) continue;
    const source = path.join(from, name);
    const target = path.join(to, name);
    let stat;
    try {
      stat = lstatSync(source);
    } catch {
      continue; // gone since the listing: a temporary file
    }
    if (stat.isDirectory()) {
      if (['pg_wal', 'pg_replslot', 'pg_stat_tmp'].includes(name)) {
        mkdirSync(path.join(target, name === 'pg_wal' ? 'archive_status' : ''), { recursive: true, mode: 0o700 });
        continue;
      }
      copyCluster(source, target);
    } else {
      try {
        copyFileSync(source, target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  }
}

/**
 * A streaming replica of `primary`, made with the low-level base backup API: a slot keeps the WAL, the data dir is
 * copied between `pg_backup_start` and `pg_backup_stop`, whose label goes in `backup_label`; `standby.signal` and
 * `primary_conninfo` make the copy a standby following the primary.
 */
async function startReplica(primary: EmbeddedPostgres, scratch: string): Promise<EmbeddedPostgres> {
  const password = new URL(primary.url).password;
  await sqlOn(primary.url, "select pg_create_physical_replication_slot('plinth_replica', true)");
  const folder = path.join(scratch, 'replica');
  mkdirSync(folder, { mode: 0o755 });
  copyFileSync(path.join(primary.dataDir, '..', 'embedded-postgres.password'), path.join(folder, 'embedded-postgres.password'));
  const dataDir = path.join(folder, 'data');
  const client = new pg.Client({ connectionString: primary.url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    // The backup lives as long as this session: start and stop on the same connection.
    await client.query("select pg_backup_start('plinth replica test', true)");
    copyCluster(primary.dataDir, dataDir);
    const stopped = await client.query<{ labelfile: string; spcmapfile: string }>('select labelfile, spcmapfile from pg_backup_stop(false)');
    writeFileSync(path.join(dataDir, 'backup_label'), stopped.rows[0]!.labelfile);
    if (stopped.rows[0]!.spcmapfile) writeFileSync(path.join(dataDir, 'tablespace_map'), stopped.rows[0]!.spcmapfile);
  } finally {
    await client.end();
  }
  writeFileSync(path.join(dataDir, 'standby.signal'), '');
  const conninfo = `host=127.0.0.1 port=${primary.port} user=postgres password=${decodeURIComponent(password)} application_name=plinth_replica`;
  writeFileSync(path.join(dataDir, 'postgresql.auto.conf'), `primary_conninfo = '${conninfo}'\nprimary_slot_name = 'plinth_replica'\nhot_standby = on\n`, {
    flag: 'a',
  });
  // As root, PostgreSQL runs as the `postgres` OS user (embedded-postgres.ts): the copy must be its own.
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', `--reference=${primary.dataDir}`, dataDir]);
  chmodSync(dataDir, 0o700);
  return startEmbeddedPostgres({ dataDir });
}

const scratch = mkdtempSync(path.join(tmpdir(), 'plinth-replica-'));
chmodSync(scratch, 0o755);

let primary: EmbeddedPostgres;
let standby: EmbeddedPostgres | undefined;
let t: TestKernel;
let owner: TestUser;
let colleague: TestUser;
let other: TestUser;
const replicaUrl = () => standby!.urlFor('plinth');

beforeAll(async () => {
  primary = await startEmbeddedPostgres({ dataDir: path.join(scratch, 'primary', 'data') });
  // The replica follows the whole cluster: the database exists before the copy, and everything after streams over.
  await ensureDatabaseExists(primary.url, 'plinth');
  standby = await startReplica(primary, scratch);
  const database = { url: primary.urlFor('plinth'), name: 'plinth', drop: async () => undefined };
  t = await createTestKernel({
    database,
    plugins: [notesPlugin],
    // A long limit: replay is paused below for longer than a short one would allow before reads leave the replica.
    env: { DATABASE_REPLICA_URL: replicaUrl(), PLINTH_REPLICA_MAX_LAG_MS: '60000' },
  });
  owner = await signUp(t, { tenant: true });
  other = await signUp(t, { tenant: true });
  await t.enable(owner, 'notes');
  await t.enable(other, 'notes');
  colleague = await addMember(t, owner);
  await until('the replica to be up', () => t.kernel.services.database.replica?.status().state === 'up');
}, 120_000);

afterAll(async () => {
  await t?.close();
  await standby?.stop();
  await primary?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const notes = (user: TestUser) => t.request('GET', '/api/v1/notes/notes', { headers: user.headers });
const write = (user: TestUser, body: string) => t.request('POST', '/api/v1/notes/notes', { headers: user.headers, body: { body } });

describe('read-only routes with a replica', () => {
  it('are served by the replica once it has the rows', async () => {
    expect((await write(owner, 'first')).status).toBe(200);
    expect((await write(other, 'other tenant')).status).toBe(200);
    // The writers' sessions read the replica again once a probe has seen it replay their writes.
    await until('the replica to serve both notes to everyone', async () => {
      const reads = await Promise.all([notes(colleague), notes(owner), notes(other)]);
      return reads.every((read) => read.body.data.replica === true && read.body.data.bodies.length === 1);
    });
    expect((await notes(colleague)).body.data).toEqual({ bodies: ['first'], replica: true });
  });

  it('read the replica, except for a session that has written since (read-your-writes)', async () => {
    const replica = t.kernel.services.database.replica!;
    await sqlOn(replicaUrl(), 'select pg_wal_replay_pause()');
    await until(
      'replay to pause',
      async () => (await sqlOn<{ state: string }>(replicaUrl(), 'select pg_get_wal_replay_pause_state() as state'))[0]!.state === 'paused',
    );
    // Written behind the kernel's back: nobody's session knows of it.
    await t.sql('insert into notes_items (tenant_id, body) values ($1, $2)', [owner.tenant!.id, 'direct']);
    expect((await write(owner, 'mine')).status).toBe(200);
    await replica.probe();
    expect(replica.status().state).toBe('up');

    // The writer's session sees its write (from the primary, the replica not having it)…
    const own = await notes(owner);
    expect(own.status).toBe(200);
    expect(own.body.data.bodies).toEqual(['direct', 'first', 'mine']);
    expect(own.body.data.replica).toBe(false);
    // …another session of the same tenant reads the replica, which has neither row yet.
    const colleagues = await notes(colleague);
    expect(colleagues.body.data).toEqual({ bodies: ['first'], replica: true });
    // Another tenant, on the replica too, sees its own rows only.
    expect((await notes(other)).body.data).toEqual({ bodies: ['other tenant'], replica: true });

    await sqlOn(replicaUrl(), 'select pg_wal_replay_resume()');
    await until('the replica to replay both writes', async () => {
      const read = await notes(colleague);
      return read.body.data.replica === true && read.body.data.bodies.length === 3;
    });
    expect((await notes(colleague)).body.data).toEqual({ bodies: ['direct', 'first', 'mine'], replica: true });
    expect((await notes(other)).body.data).toEqual({ bodies: ['other tenant'], replica: true });
    // Once the replica has replayed the write, the writer reads from it again.
    await until('the probe to see the write replayed', async () => {
      await replica.probe();
      return (await notes(owner)).body.data.replica === true;
    });
  });

  it('counts a paused replay as lag past the limit', async () => {
    const pool = createDatabase({ url: replicaUrl(), poolMax: 1 });
    const lagging = new Replica(pool, {
      maxLagMs: 200,
      probeMs: 50,
      primaryLsn: async () => (await t.sql<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn'))[0]!.lsn,
    });
    try {
      await lagging.probe();
      await sqlOn(replicaUrl(), 'select pg_wal_replay_pause()');
      await until(
        'replay to pause',
        async () => (await sqlOn<{ state: string }>(replicaUrl(), 'select pg_get_wal_replay_pause_state() as state'))[0]!.state === 'paused',
      );
      await t.sql('insert into notes_items (tenant_id, body) values ($1, $2)', [other.tenant!.id, 'unreplayed']);
      await until('the lag to pass 200 ms', async () => {
        await lagging.probe();
        return lagging.status().state === 'lagging';
      });
      await sqlOn(replicaUrl(), 'select pg_wal_replay_resume()');
      await until('the replica to catch up', async () => {
        await lagging.probe();
        return lagging.status().state === 'up';
      });
    } finally {
      await sqlOn(replicaUrl(), 'select pg_wal_replay_resume()').catch(() => undefined);
      await lagging.close();
    }
  });

  it('cannot write: the transaction is read only, on the replica and on the primary', async () => {
    const refused = await t.request('GET', '/api/v1/notes/notes/sneaky', { headers: colleague.headers });
    expect(refused.status).toBe(500);
    expect(await t.sql("select 1 from notes_items where body = 'sneaky'")).toEqual([]);

    const onPrimary = new LazyTransaction(t.kernel.services.database, owner.tenant!.id, undefined, { readOnly: true });
    const failure = await onPrimary.query("insert into notes_items (body) values ('sneaky')").catch((error: unknown) => error);
    await onPrimary.finish(false);
    expect(failure).toBeInstanceOf(ReadOnlyTransactionError);
    expect((failure as Error).message).toMatch(/flagged readOnly.*read-only transaction/);
    // The connection the read-only scope left is read-write again for the next request that writes.
    expect((await write(owner, 'after')).status).toBe(200);
    expect(await t.sql<{ body: string }>("select body from notes_items where body in ('sneaky', 'after')")).toEqual([{ body: 'after' }]);
  });

  it('leaves a connection read-write for the next unit of work that writes (a pool of one connection)', async () => {
    const single = createDatabase({ url: primary.urlFor('plinth'), poolMax: 1 });
    const tenant = owner.tenant!.id;
    const run = async (readOnly: boolean, text: string) => {
      const unit = new LazyTransaction(single, tenant, undefined, { readOnly });
      try {
        return await unit.query<{ body: string }>(text);
      } finally {
        await unit.finish(true);
      }
    };
    try {
      // A read-only standalone read leaves the session read only by default; a write after it must still write, and a
      // row lock (refused in a read-only transaction) must still be taken.
      expect(await run(true, "select body from notes_items where body = 'first'")).toEqual([{ body: 'first' }]);
      expect(await run(false, "insert into notes_items (body) values ('pool of one') returning body")).toEqual([{ body: 'pool of one' }]);
      expect(await run(true, "select body from notes_items where body = 'pool of one'")).toEqual([{ body: 'pool of one' }]);
      expect(await run(false, "select body from notes_items where body = 'pool of one' for update")).toEqual([{ body: 'pool of one' }]);
      expect(await run(true, "select body from notes_items where body = 'pool of one'")).toHaveLength(1);
      const knexRead = await single.knex.raw<{ rows: { readOnly: string }[] }>('select current_setting(?) as "readOnly"', ['default_transaction_read_only']);
      expect(knexRead.rows[0]!.readOnly).toBe('off');
    } finally {
      await single.destroy();
    }
  });

  it('may be flagged only on GET routes', () => {
    const route = defineRoute({
      method: 'POST',
      path: '/writes',
      summary: 'A write flagged read-only',
      public: true,
      readOnly: true,
      errors: [],
      handler: async () => ({}),
    });
    expect(() => checkRoutes([route], () => 'api')).toThrow(/POST \/writes is flagged readOnly: only GET routes may be/);
  });

  it('are answered by the primary when the replica is down', async () => {
    await standby!.stop();
    const read = await notes(colleague);
    expect(read.status).toBe(200);
    expect(read.body.data.replica).toBe(false);
    expect(read.body.data.bodies).toContain('after');
    const replica = t.kernel.services.database.replica!;
    await replica.probe();
    expect(replica.status().state).toBe('down');
    expect((await notes(other)).body.data).toEqual({ bodies: ['other tenant', 'unreplayed'], replica: false });
    // /health shows it, and the process is not degraded by it: reads have the primary.
    const health = await t.request('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body.data).toMatchObject({ status: 'ok', checks: { db: 'up', replica: 'down' } });
  });
});
