import { generateKeyPair as generateNodeKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { recordHostAudit, type AuditActor } from '../audit/audit.js';
import type { SecretBox } from '../crypto/secrets.js';
import type { ScopedDb } from '../db/scoped-db.js';

/** The algorithms an access-token signing key may use (`PLINTH_TOKEN_ALG`): Ed25519, P-256 ECDSA, or RSA 2048 with SHA-256. */
export const signingAlgs = ['EdDSA', 'ES256', 'RS256'] as const;
export type SigningAlg = (typeof signingAlgs)[number];

/**
 * How long after its retirement a key still verifies, beyond the access-token lifetime: clocks of other nodes, and a node
 * that signed with the key before it learnt of the rotation (nodes re-read the keys at least every 30 s before signing).
 */
export const retirementSkewSeconds = 60;

/** Keys past their grace stay listed (so a token signed by one is refused as such, and audited) this long, then are deleted. */
export const expiredKeysKeptDays = 30;

/** The advisory lock every change to the key set takes: nodes booting together make one key, rotations never overlap. */
const lockKey = 'core/signing-keys';

/** A row of `signing_keys`. */
export interface SigningKeyRow {
  kid: string;
  alg: SigningAlg;
  /** The public JWK, with `kid`, `alg` and `use: 'sig'`. */
  public_jwk: JWK;
  /** The private key (PKCS #8 PEM) sealed with the secret box; null once retired. */
  private_key_enc: string | null;
  created_at: Date;
  activated_at: Date;
  retired_at: Date | null;
  /** When it stops verifying (null while active). */
  verify_until: Date | null;
}

/** `active` signs; `retired` verifies until `verify_until`; `expired` verifies nothing (kept to name refusals, then deleted). */
export type SigningKeyState = 'active' | 'retired' | 'expired';

export function keyState(row: Pick<SigningKeyRow, 'retired_at' | 'verify_until'>, now: Date): SigningKeyState {
  if (!row.retired_at) return 'active';
  return row.verify_until && row.verify_until.getTime() > now.getTime() ? 'retired' : 'expired';
}

export const signingKeyColumns = 'kid, alg, public_jwk, private_key_enc, created_at, activated_at, retired_at, verify_until';

const generateKeyPair = promisify(generateNodeKeyPair) as (
  type: 'ed25519' | 'ec' | 'rsa',
  options: Record<string, unknown>,
) => Promise<{ publicKey: KeyObject; privateKey: KeyObject }>;

const keyTypes: Record<SigningAlg, ['ed25519' | 'ec' | 'rsa', Record<string, unknown>]> = {
  EdDSA: ['ed25519', {}],
  ES256: ['ec', { namedCurve: 'P-256' }],
  RS256: ['rsa', { modulusLength: 2048 }],
};

/** A new key pair of `alg`: the public JWK (its `kid` the RFC 7638 thumbprint) and the private key, sealed. */
export async function generateSigningKey(
  alg: SigningAlg,
  secretBox: SecretBox,
): Promise<{ kid: string; alg: SigningAlg; publicJwk: JWK; privateKeyEnc: string }> {
  const [type, options] = keyTypes[alg];
  const { publicKey, privateKey } = await generateKeyPair(type, options);
  const exported = publicKey.export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint(exported, 'sha256');
  const publicJwk: JWK = { ...exported, kid, alg, use: 'sig' };
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  return { kid, alg, publicJwk, privateKeyEnc: secretBox.seal(pem) };
}

async function insertKey(db: ScopedDb, secretBox: SecretBox, alg: SigningAlg, now: Date): Promise<SigningKeyRow> {
  const key = await generateSigningKey(alg, secretBox);
  const [row] = await db.query<SigningKeyRow>(
    `insert into signing_keys (kid, alg, public_jwk, private_key_enc, created_at, activated_at) values ($1, $2, $3, $4, $5, $5) returning ${signingKeyColumns}`,
    [key.kid, key.alg, key.publicJwk, key.privateKeyEnc, now],
  );
  return row!;
}

/** Every key, newest first (on the system path). */
export async function readSigningKeys(db: ScopedDb): Promise<SigningKeyRow[]> {
  return db.query<SigningKeyRow>(`select ${signingKeyColumns} from signing_keys order by activated_at desc, kid`);
}

export interface EnsuredKey {
  /** The active key, made now if there was none. */
  active: SigningKeyRow;
  /** How it came to be: found, made (no key yet), or rotated to because the active one's algorithm is not `alg`. */
  outcome: 'found' | 'created' | 'rotated';
}

/**
 * Makes sure one key is active, under the key set's advisory lock (nodes booting at once make one): makes one when there is
 * none, and rotates to a key of `alg` when the active one uses another algorithm (`PLINTH_TOKEN_ALG` changed; audited).
 */
export async function ensureActiveKey(db: ScopedDb, secretBox: SecretBox, options: { alg: SigningAlg; now: Date; ttlSeconds: number }): Promise<EnsuredKey> {
  await db.lock(lockKey);
  const active = await db.one<SigningKeyRow>(`select ${signingKeyColumns} from signing_keys where retired_at is null`);
  if (!active) return { active: await insertKey(db, secretBox, options.alg, options.now), outcome: 'created' };
  if (active.alg === options.alg) return { active, outcome: 'found' };
  const rotated = await rotateSigningKeys(db, secretBox, { ...options, actor: {}, source: 'algorithm' });
  return { active: rotated.active, outcome: 'rotated' };
}

export interface Rotation {
  active: SigningKeyRow;
  retired: SigningKeyRow | null;
  /** Keys deleted: past their grace for longer than {@link expiredKeysKeptDays}. */
  pruned: number;
}

/**
 * Makes a new key of `alg` active and retires the active one: its private part is erased (it never signs again) and it
 * verifies until its retirement + the token lifetime + {@link retirementSkewSeconds}, so nobody is signed out. Deletes keys
 * expired for longer than {@link expiredKeysKeptDays}. Audited (`admin.signing_keys.rotated`) in the same transaction.
 */
export async function rotateSigningKeys(
  db: ScopedDb,
  secretBox: SecretBox,
  options: { alg: SigningAlg; now: Date; ttlSeconds: number; actor: AuditActor; source: 'api' | 'cli' | 'algorithm' | 'unreadable' },
): Promise<Rotation> {
  const { now } = options;
  await db.lock(lockKey);
  const verifyUntil = new Date(now.getTime() + (options.ttlSeconds + retirementSkewSeconds) * 1000);
  const [retired] = await db.query<SigningKeyRow>(
    `update signing_keys set retired_at = $1, verify_until = $2, private_key_enc = null where retired_at is null returning ${signingKeyColumns}`,
    [now, verifyUntil],
  );
  const active = await insertKey(db, secretBox, options.alg, now);
  const pruned = await db.query(`delete from signing_keys where verify_until < $1 returning kid`, [new Date(now.getTime() - expiredKeysKeptDays * 86_400_000)]);
  await recordHostAudit(db, options.actor, {
    action: 'admin.signing_keys.rotated',
    targetType: 'signing_key',
    targetId: active.kid,
    data: { source: options.source, alg: active.alg, retired_kid: retired?.kid ?? null, pruned: pruned.length },
  });
  return { active, retired: retired ?? null, pruned: pruned.length };
}

/** A key as `GET /admin/signing-keys` shows it: no private part. */
export function presentSigningKey(row: SigningKeyRow, now: Date) {
  return {
    kid: row.kid,
    alg: row.alg,
    state: keyState(row, now),
    created_at: row.created_at.toISOString(),
    activated_at: row.activated_at.toISOString(),
    retired_at: row.retired_at?.toISOString() ?? null,
    verify_until: row.verify_until?.toISOString() ?? null,
  };
}
