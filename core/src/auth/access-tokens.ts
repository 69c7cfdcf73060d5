import { UnauthenticatedError, type Clock } from '@plinth/sdk';
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, importJWK, importPKCS8, jwtVerify, SignJWT, type CryptoKey, type JWK } from 'jose';
import { LRUCache } from 'lru-cache';
import { recordHostAudit } from '../audit/audit.js';
import type { SecretBox } from '../crypto/secrets.js';
import type { Database } from '../db/database.js';
import { runAsSystem, type ScopedDb } from '../db/scoped-db.js';
import type { Logger } from '../logger.js';
import { ensureActiveKey, readSigningKeys, rotateSigningKeys, type EnsuredKey, type Rotation, type SigningAlg, type SigningKeyRow } from './signing-keys.js';
import type { AuditActor } from '../audit/audit.js';

/** What an access token says, once verified. */
export interface AccessClaims {
  userId: string;
  /** The refresh-token family (one sign-in); logging out revokes it. */
  sessionId: string;
  /** Must equal the user's current token version (bumped by password change, disable, "sign out everywhere"). */
  tokenVersion: number;
  /** Seconds since the epoch. */
  expiresAt: number;
}

/** A public key as the JWKS publishes it. */
export type PublicJwk = JWK & { kid: string; alg: SigningAlg; use: 'sig' };

export interface AccessTokens {
  readonly ttlSeconds: number;
  sign(claims: Omit<AccessClaims, 'expiresAt'>): Promise<string>;
  /**
   * Verifies signature (with the key its `kid` names, in that key's algorithm), issuer, audience, type and expiry; throws
   * {@link UnauthenticatedError} (synchronously for a token it verified before, whose claims come without a promise).
   */
  verify(token: string): AccessClaims | Promise<AccessClaims>;
  /** The algorithm new keys use (`PLINTH_TOKEN_ALG`). */
  readonly algorithm: SigningAlg;
  /** The `iss` of the tokens: the host's public URL. */
  issuer(): string;
  /**
   * At boot, after migrations: makes a key if there is none (or rotates to the configured algorithm), loads the keys, and
   * checks this process can open the active one (else, with `replaceUnreadable`, rotates to one it can).
   */
  prepare(): Promise<EnsuredKey['outcome'] | 'replaced'>;
  /** Re-reads the keys from the database (after a rotation; other nodes re-read on an unknown `kid`, and every 30 s). */
  reload(): Promise<void>;
  /** The keys that verify now (the active one and those retired within their grace), as public JWKs, read from the database. */
  publishedKeys(): Promise<PublicJwk[]>;
  /** Rotates in `db`'s transaction (system path): see {@link rotateSigningKeys}; this node re-reads the keys once it commits. */
  rotate(db: ScopedDb, actor: AuditActor, source: 'api' | 'cli'): Promise<Rotation>;
}

export interface AccessTokenOptions {
  database: Database;
  secretBox: SecretBox;
  /** Key lifetimes (retirement, grace) follow it; token `iat`/`exp` follow the real time, as every verifier's do. */
  clock: Clock;
  logger: Logger;
  algorithm: SigningAlg;
  /** The issuer: the host's public URL. */
  publicUrl(): string;
  ttlSeconds?: number;
  /**
   * At boot, replace an active key this process cannot open (sealed with another `PLINTH_ENCRYPTION_KEY`) by rotating:
   * development only, where a lost data dir regenerates the key; production refuses to guess and logs the error.
   */
  replaceUnreadable?: boolean;
}

const audience = 'plinth-api';
/** How long an access token lives, by default (the CLI's rotation counts a retired key's grace from it). */
export const accessTokenTtlSeconds = 900;
/** Keys are re-read at least this often before signing (so a rotation on another node is followed) and, lazily, when verifying. */
const refreshMs = 30_000;
/** Tokens naming a `kid` this node does not know make it re-read the keys, at most this often. */
const unknownKidReloadMs = 1_000;
/** A token signed by an expired key is audited at most this often per key and node. */
const retiredAuditMs = 60_000;

/** The active key's private part was sealed with another `PLINTH_ENCRYPTION_KEY` than this process's. */
class UnreadableKeyError extends Error {
  override name = 'UnreadableKeyError';
}

/** A key as this node holds it. The object is kept across reloads (its fields updated), so cached tokens see a retirement. */
interface LoadedKey {
  kid: string;
  alg: SigningAlg;
  publicJwk: PublicJwk;
  publicKey: CryptoKey;
  /** Sealed private key (active key only), opened on first signing. */
  sealed: string | null;
  privateKey: CryptoKey | undefined;
  /** Milliseconds since the epoch (kernel clock) when it stops verifying; Infinity while active. */
  verifyUntil: number;
}

interface Verified {
  claims: AccessClaims;
  key: LoadedKey;
}

/**
 * Short-lived (15 min) JWTs signed with the host's active asymmetric key (EdDSA by default), named by `kid`; every node
 * reads the keys from `signing_keys`, so a token from one verifies on another and on any service holding the JWKS.
 * Verified tokens are remembered until they expire, so a busy client pays for signature checking once, not per request;
 * revocation is checked per request against the user's cached state.
 */
export function createAccessTokens(options: AccessTokenOptions): AccessTokens {
  const { database, secretBox, clock, logger, algorithm, publicUrl } = options;
  const ttlSeconds = options.ttlSeconds ?? accessTokenTtlSeconds;
  const verified = new LRUCache<string, Verified>({ max: 50_000 });
  const keys = new Map<string, LoadedKey>();
  let active: LoadedKey | undefined;
  let loadedAt = Number.NEGATIVE_INFINITY;
  let lastUnknownReload = Number.NEGATIVE_INFINITY;
  let loading: Promise<void> | undefined;
  let nextUnknownReload: Promise<void> | undefined;
  const audited = new Map<string, number>();

  const reload = (): Promise<void> =>
    (loading ??= load().finally(() => {
      loading = undefined;
    }));

  async function load(): Promise<void> {
    const started = Date.now();
    const rows = await runAsSystem(database, (db) => readSigningKeys(db));
    const seen = new Set<string>();
    let nextActive: LoadedKey | undefined;
    for (const row of rows) {
      seen.add(row.kid);
      const key = keys.get(row.kid) ?? (await loadKey(row));
      key.verifyUntil = row.verify_until ? row.verify_until.getTime() : Number.POSITIVE_INFINITY;
      if (!row.private_key_enc) {
        key.sealed = null;
        key.privateKey = undefined;
      }
      keys.set(row.kid, key);
      if (!row.retired_at) nextActive = key;
    }
    for (const [kid, key] of keys) {
      if (seen.has(kid)) continue;
      // Deleted: tokens it verified are refused from now on, even those remembered.
      key.verifyUntil = Number.NEGATIVE_INFINITY;
      keys.delete(kid);
    }
    active = nextActive;
    loadedAt = started;
  }

  async function loadKey(row: SigningKeyRow): Promise<LoadedKey> {
    return {
      kid: row.kid,
      alg: row.alg,
      publicJwk: { ...row.public_jwk, kid: row.kid, alg: row.alg, use: 'sig' },
      publicKey: (await importJWK({ ...row.public_jwk, alg: row.alg }, row.alg)) as CryptoKey,
      sealed: row.private_key_enc,
      privateKey: undefined,
      verifyUntil: Number.POSITIVE_INFINITY,
    };
  }

  async function prepare(): Promise<EnsuredKey['outcome'] | 'replaced'> {
    const outcome = await ensureKey();
    try {
      await signingKey();
      return outcome;
    } catch (error) {
      if (!(error instanceof UnreadableKeyError)) throw error;
      if (!options.replaceUnreadable) {
        // It still verifies (and serves what needs no sign-in); say so now, not at the first sign-in.
        logger.error({ err: error }, 'this process cannot sign access tokens: run "plinth keys rotate" with the PLINTH_ENCRYPTION_KEY of the host');
        return outcome;
      }
      // Development: the data dir (and its generated key) was lost, or another process generated its own.
      logger.warn({ err: error }, 'the active signing key was sealed with another PLINTH_ENCRYPTION_KEY: replacing it (nobody is signed out)');
      await runAsSystem(database, (db) => rotateSigningKeys(db, secretBox, { alg: algorithm, now: clock.now(), ttlSeconds, actor: {}, source: 'unreadable' }));
      await reload();
      return 'replaced';
    }
  }

  /** Makes a key when there is none (or rotates to the configured algorithm), then re-reads the keys. */
  async function ensureKey(): Promise<EnsuredKey['outcome']> {
    const ensured = await runAsSystem(database, (db) => ensureActiveKey(db, secretBox, { alg: algorithm, now: clock.now(), ttlSeconds }));
    if (ensured.outcome !== 'found')
      logger.info({ kid: ensured.active.kid, alg: ensured.active.alg, outcome: ensured.outcome }, 'new access-token signing key');
    await reload();
    return ensured.outcome;
  }

  /**
   * The active key with its private part. A copy older than {@link refreshMs} is re-read in the background: signing runs
   * inside a request's transaction, and waiting there for a second pooled connection deadlocks a busy pool (every
   * connection held by a request waiting for another). Until the re-read lands, the key known signs: a key retired
   * on another node meanwhile still verifies for an access token's lifetime and more.
   */
  async function signingKey(): Promise<LoadedKey> {
    if (!active) await reload();
    else if (Date.now() - loadedAt > refreshMs) reload().catch((error: unknown) => logger.warn({ err: error }, 'could not re-read the signing keys'));
    if (!active) await ensureKey();
    const key = active;
    if (!key?.sealed) throw new Error('no active access-token signing key (see docs/identity.md, "Access tokens, keys and the JWKS")');
    if (!key.privateKey) {
      let pem: string;
      try {
        pem = secretBox.open(key.sealed);
      } catch (error) {
        throw new UnreadableKeyError(
          `cannot open the private part of signing key ${key.kid}: this process's PLINTH_ENCRYPTION_KEY is not the one that sealed it (every process of a host must share it)`,
          { cause: error },
        );
      }
      key.privateKey = (await importPKCS8(pem, key.alg)) as CryptoKey;
    }
    return key;
  }

  /** The key a token names: this node's copy, re-read when stale (in the background) or when the `kid` is unknown (rate-limited). */
  async function keyFor(kid: string): Promise<LoadedKey | undefined> {
    if (loadedAt === Number.NEGATIVE_INFINITY) await reload();
    else if (Date.now() - loadedAt > refreshMs) reload().catch((error: unknown) => logger.warn({ err: error }, 'could not re-read the signing keys'));
    const known = keys.get(kid);
    if (known) return known;
    await reloadForUnknownKid();
    return keys.get(kid);
  }

  /**
   * One re-read of the keys for tokens naming an unknown `kid`, at most once per {@link unknownKidReloadMs}: within that
   * time, the tokens wait for the next one (shared) rather than being refused, so made-up kids cannot hide a real new key.
   */
  function reloadForUnknownKid(): Promise<void> {
    const wait = lastUnknownReload + unknownKidReloadMs - Date.now();
    if (wait <= 0 && !nextUnknownReload) {
      lastUnknownReload = Date.now();
      return reload();
    }
    return (nextUnknownReload ??= new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, wait))).then(() => {
      nextUnknownReload = undefined;
      lastUnknownReload = Date.now();
      return reload();
    }));
  }

  /** A token whose key's grace has ended: 401, and an audit entry (once a minute per key and node: not every replay). */
  async function refuseRetired(key: LoadedKey, token: string): Promise<never> {
    const last = audited.get(key.kid) ?? Number.NEGATIVE_INFINITY;
    if (Date.now() - last >= retiredAuditMs) {
      audited.set(key.kid, Date.now());
      let subject: unknown;
      try {
        subject = decodeJwt(token).sub;
      } catch {
        subject = undefined;
      }
      await runAsSystem(database, (db) =>
        recordHostAudit(
          db,
          {},
          {
            action: 'auth.token.refused',
            targetType: 'signing_key',
            targetId: key.kid,
            data: { reason: 'retired_key', kid: key.kid, alg: key.alg, claimed_sub: typeof subject === 'string' ? subject.slice(0, 64) : null },
          },
        ),
      ).catch((error: unknown) => logger.warn({ err: error, kid: key.kid }, 'could not audit a token signed by a retired key'));
    }
    throw new UnauthenticatedError('Access token expired');
  }

  async function verifySigned(token: string): Promise<AccessClaims> {
    let kid: unknown;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      throw new UnauthenticatedError('Invalid access token');
    }
    if (typeof kid !== 'string' || kid.length === 0 || kid.length > 128) throw new UnauthenticatedError('Invalid access token');
    const key = await keyFor(kid);
    if (!key) throw new UnauthenticatedError('Invalid access token');
    if (key.verifyUntil <= clock.now().getTime()) return refuseRetired(key, token);
    try {
      const { payload } = await jwtVerify(token, key.publicKey, {
        // The key's algorithm, never the token's: `alg: none`, HS256 keyed with the public key and the like are refused.
        algorithms: [key.alg],
        issuer: publicUrl(),
        audience,
        requiredClaims: ['sub', 'exp', 'iat', 'sid', 'ver'],
      });
      if (payload.typ !== 'access' || typeof payload.sid !== 'string' || typeof payload.ver !== 'number') throw new UnauthenticatedError('Not an access token');
      const claims: AccessClaims = { userId: payload.sub!, sessionId: payload.sid, tokenVersion: payload.ver, expiresAt: payload.exp! };
      verified.set(token, { claims, key });
      return claims;
    } catch (error) {
      if (error instanceof UnauthenticatedError) throw error;
      if (error instanceof joseErrors.JWTExpired) throw new UnauthenticatedError('Access token expired');
      throw new UnauthenticatedError('Invalid access token');
    }
  }

  return {
    ttlSeconds,
    algorithm,
    issuer: publicUrl,
    prepare,
    reload,
    async sign(claims) {
      const key = await signingKey();
      return new SignJWT({ sid: claims.sessionId, ver: claims.tokenVersion, typ: 'access' })
        .setProtectedHeader({ alg: key.alg, typ: 'JWT', kid: key.kid })
        .setSubject(claims.userId)
        .setIssuer(publicUrl())
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(key.privateKey!);
    },
    verify(token) {
      const known = verified.get(token);
      if (known) {
        if (known.claims.expiresAt * 1000 <= Date.now()) {
          verified.delete(token);
          throw new UnauthenticatedError('Access token expired');
        }
        if (known.key.verifyUntil === Number.POSITIVE_INFINITY || known.key.verifyUntil > clock.now().getTime()) return known.claims;
        verified.delete(token);
        return refuseRetired(known.key, token);
      }
      return verifySigned(token);
    },
    async publishedKeys() {
      // Read afresh each time (verifiers fetch it rarely, and cache it): a key made by another process is published at once.
      await reload();
      const now = clock.now().getTime();
      return [...keys.values()].filter((key) => key.verifyUntil > now).map((key) => key.publicJwk);
    },
    async rotate(db, actor, source) {
      const rotation = await rotateSigningKeys(db, secretBox, { alg: algorithm, now: clock.now(), ttlSeconds, actor, source });
      db.afterCommit(async () => {
        // Not a read that began before the commit: a fresh one, before the answer goes out.
        loadedAt = Number.NEGATIVE_INFINITY;
        await loading?.catch(() => undefined);
        await reload().catch((error: unknown) => logger.warn({ err: error }, 'could not re-read the signing keys after a rotation'));
      });
      return rotation;
    },
  };
}
