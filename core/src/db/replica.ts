import { withTimeout } from '../util/timeout.js';
import type { Database } from './database.js';

/**
 * What the kernel knows of its read replica: `up` (read-only routes read from it), `down` (it does not answer, or is
 * not a standby) or `lagging` (behind the primary by more than `PLINTH_REPLICA_MAX_LAG_MS`). Down or lagging, reads go
 * to the primary (docs/adr/0013-read-replicas.md).
 */
export type ReplicaState = 'up' | 'down' | 'lagging';

export interface ReplicaStatus {
  state: ReplicaState;
  /** How far behind the primary the replica was at the last probe (ms; undefined when unknown). */
  lagMs: number | undefined;
  /** The last WAL position the replica had replayed at the last probe (`0/3000148`), if known. */
  replayLsn: string | undefined;
}

export interface ReplicaOptions {
  /** Lag past which reads go to the primary. */
  maxLagMs: number;
  /** How often the replica and the primary are probed (default: a fifth of `maxLagMs`, from 100 ms to 1 s). */
  probeMs?: number;
  /** The primary's current WAL position (`pg_current_wal_lsn()`), as text. */
  primaryLsn(): Promise<string>;
  onLog?: (level: 'warn' | 'error', message: string) => void;
}

/**
 * A physical (streaming) replica of the primary, and a probe that keeps its state: every `probeMs` it samples the
 * primary's WAL position, then asks the replica how far it has replayed. The lag is the age of the newest primary
 * sample the replica has replayed past: an upper bound, to within one probe.
 */
export class Replica {
  readonly probeMs: number;
  private state: ReplicaState = 'down';
  private replayed: bigint | undefined;
  private lagMs: number | undefined;
  /** Primary WAL positions sampled, the oldest first: only the newest one the replica has passed and those after it are kept. */
  private samples: { at: number; lsn: bigint }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private probing: Promise<void> | undefined;
  private warned = false;

  constructor(
    /** The replica's own pool (same roles as the primary: it is a physical copy). */
    readonly database: Database,
    private readonly options: ReplicaOptions,
  ) {
    this.probeMs = options.probeMs ?? Math.min(1000, Math.max(100, Math.floor(options.maxLagMs / 5)));
  }

  /** The lag past which reads go to the primary. */
  get maxLagMs(): number {
    return this.options.maxLagMs;
  }

  /** Starts probing (the first probe at once); reads go to the primary until a probe finds the replica up. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.probe(), this.probeMs);
    this.timer.unref();
    void this.probe();
  }

  status(): ReplicaStatus {
    return { state: this.state, lagMs: this.lagMs, replayLsn: this.replayed === undefined ? undefined : formatLsn(this.replayed) };
  }

  /** Whether the replica had replayed WAL position `lsn` at the last probe. */
  hasReplayed(lsn: string): boolean {
    const position = parseLsn(lsn);
    return position !== undefined && this.replayed !== undefined && this.replayed >= position;
  }

  /** A request found the replica unreachable: reads go to the primary until a probe finds it up again. */
  markDown(): void {
    this.state = 'down';
  }

  /** Probes now (one probe at a time), and resolves once the state is up to date. */
  probe(): Promise<void> {
    this.probing ??= this.probeOnce().finally(() => (this.probing = undefined));
    return this.probing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.probing;
    await this.database.destroy();
  }

  private async probeOnce(): Promise<void> {
    const timeoutMs = Math.max(1000, this.probeMs * 2);
    let primary: bigint | undefined;
    try {
      primary = parseLsn(await withTimeout(this.options.primaryLsn(), timeoutMs, 'primary WAL position'));
    } catch {
      // The primary not answering says nothing about the replica: judge its lag on the samples already taken.
    }
    const now = Date.now();
    if (primary !== undefined) this.samples.push({ at: now, lsn: primary });
    let replay: { recovery: boolean; lsn: string | null };
    try {
      const result = await withTimeout(
        this.database.knex.raw<{ rows: { recovery: boolean; lsn: string | null }[] }>(
          'select pg_is_in_recovery() as recovery, pg_last_wal_replay_lsn()::text as lsn',
        ),
        timeoutMs,
        'replica probe',
      );
      replay = result.rows[0]!;
    } catch {
      this.state = 'down';
      this.lagMs = undefined;
      return;
    }
    if (!replay.recovery || replay.lsn === null) {
      // A promoted replica, or a URL naming a server that is no standby: its rows may differ from the primary's.
      if (!this.warned) this.options.onLog?.('warn', 'DATABASE_REPLICA_URL names a server that is not a standby: reads stay on the primary');
      this.warned = true;
      this.state = 'down';
      this.lagMs = undefined;
      return;
    }
    this.warned = false;
    this.replayed = parseLsn(replay.lsn);
    this.lagMs = this.lagAt(now);
    this.state = this.lagMs !== undefined && this.lagMs <= this.options.maxLagMs ? 'up' : 'lagging';
  }

  /** The age of the newest sample the replica has replayed past (the older ones are dropped); undefined if none. */
  private lagAt(now: number): number | undefined {
    const replayed = this.replayed!;
    let newest = -1;
    for (let index = 0; index < this.samples.length; index++) if (this.samples[index]!.lsn <= replayed) newest = index;
    if (newest < 0) {
      // Behind every sample: at least as old as the oldest one (kept, bounded, until the replica passes it).
      if (this.samples.length > 1000) this.samples.splice(1, this.samples.length - 1000);
      const oldest = this.samples[0];
      return oldest && now - oldest.at > this.options.maxLagMs ? now - oldest.at : undefined;
    }
    this.samples = this.samples.slice(newest);
    return now - this.samples[0]!.at;
  }
}

/** A WAL position (`16/B374D848`) as a number, or undefined when `text` is not one. */
export function parseLsn(text: string): bigint | undefined {
  const match = /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i.exec(text);
  return match ? (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`) : undefined;
}

function formatLsn(position: bigint): string {
  return `${(position >> 32n).toString(16).toUpperCase()}/${(position & 0xffffffffn).toString(16).toUpperCase()}`;
}

/**
 * A read-only route's statement tried to write (PostgreSQL `25006`): the route is flagged `readOnly`, so its
 * transaction is read only, on the replica and on the primary alike. A mistake in the route, answered 500 and logged.
 */
export class ReadOnlyTransactionError extends Error {
  override name = 'ReadOnlyTransactionError';
  /** PostgreSQL's error code: `25006` (read_only_sql_transaction). */
  readonly sqlState = '25006';

  constructor(cause: unknown) {
    super(
      `This route is flagged readOnly: its transaction is read only and may not write (${(cause as Error).message}). Remove readOnly from a route that writes.`,
      { cause },
    );
  }
}

/** `error`, or a {@link ReadOnlyTransactionError} when it is PostgreSQL refusing a write in a read-only transaction. */
export function readOnlyRefusal(error: unknown): unknown {
  return (error as { code?: unknown } | null | undefined)?.code === '25006' ? new ReadOnlyTransactionError(error) : error;
}
