import type { Cache } from '../cache/cache.js';
import type { Principal } from '../http/route.js';
import type { Logger } from '../logger.js';
import type { Database } from './database.js';
import { LazyTransaction, type TransactionOptions, type TransactionScope, type UnitScope } from './scoped-db.js';

/** What a route's transaction is chosen with (docs/adr/0013-read-replicas.md). */
export interface RoutingServices {
  database: Database;
  cache: Cache;
  logger: Logger;
}

/**
 * Whose writes a request must see: the caller's session (a signed-in user's access token or page session) or API
 * token. Anonymous requests have none: they read what the replica has.
 */
export function sessionOf(principal: Principal | undefined): string | undefined {
  if (principal?.kind === 'user') return `s:${principal.sessionId}`;
  if (principal?.kind === 'api-token') return `t:${principal.tokenId}`;
  return undefined;
}

/** The cache key holding the WAL position of `session`'s last write. */
function writtenKey(session: string): string {
  return `replica:written:${session}`;
}

/**
 * The transaction of a route's handler. Without a replica: read only for `readOnly` routes, as usual for the others.
 * With one, a `readOnly` route's runs on the replica when it is up and has replayed the session's last write (else on
 * the primary, and on the primary too if no connection to the replica can be had); another route's records, after
 * it commits a write, the WAL position the session's reads must wait for.
 */
export async function routeTransaction(
  route: { readOnly?: boolean },
  services: RoutingServices,
  scope: TransactionScope,
  units: UnitScope | undefined,
  principal: Principal | undefined,
): Promise<LazyTransaction> {
  const { database } = services;
  const { replica } = database;
  const session = sessionOf(principal);
  if (!route.readOnly) {
    if (!replica || !session) return new LazyTransaction(database, scope, units);
    // Past this, the replica has replayed the write or lags beyond the limit (and reads go to the primary): the lag is
    // known to within one probe.
    const ttlMs = replica.maxLagMs + 2 * replica.probeMs;
    const onCommitted = (lsn: string) =>
      services.cache
        .set(writtenKey(session), lsn, ttlMs)
        .catch((error: unknown) => services.logger.warn({ err: error }, 'could not record a write for read-your-writes'));
    return new LazyTransaction(database, scope, units, { onCommitted });
  }
  if (!replica || replica.status().state !== 'up' || !(await replicaHasSessionWrites(services, session))) {
    return new LazyTransaction(database, scope, units, { readOnly: true });
  }
  const options: TransactionOptions = {
    readOnly: true,
    fallback: {
      database,
      onUse(error) {
        replica.markDown();
        services.logger.warn({ err: error }, 'read replica unreachable: reads go to the primary');
      },
    },
  };
  return new LazyTransaction(replica.database, scope, units, options);
}

/** Whether the replica has replayed the session's last recent write (true when it made none); false if unsure. */
async function replicaHasSessionWrites(services: RoutingServices, session: string | undefined): Promise<boolean> {
  if (!session) return true;
  let lsn: string | undefined;
  try {
    lsn = services.cache.peek<string>(writtenKey(session)) ?? (await services.cache.get<string>(writtenKey(session)));
  } catch {
    return false;
  }
  return lsn === undefined || services.database.replica!.hasReplayed(lsn);
}
