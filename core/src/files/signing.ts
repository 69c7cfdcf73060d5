import { createHmac, createSecretKey, hkdfSync, timingSafeEqual, type KeyObject } from 'node:crypto';

/**
 * The key that signs download URLs: derived from the kernel's secret material with HKDF-SHA256, so a leaked or
 * brute-forced file URL says nothing about the key that signs access tokens, and a token of one kind can never be
 * replayed as the other. Build it once at boot with {@link fileSigningKey}; it is opaque so that passing the raw
 * secret by mistake does not compile.
 */
export class FileSigningKey {
  readonly #key: KeyObject;

  /** @internal use {@link fileSigningKey}. */
  constructor(key: KeyObject) {
    this.#key = key;
  }

  /** HMAC-SHA256 of `text`, base64url. */
  mac(text: string): string {
    return createHmac('sha256', this.#key).update(text).digest('base64url');
  }
}

/** HKDF `info`: names the key's one use; a new token format gets a new label, so old keys cannot verify it. */
const keyLabel = 'plinth file download url v1';

/**
 * Derives the download-URL signing key from the kernel's secret material (the host's `PLINTH_JWT_SECRET`).
 *
 * @example
 * ```ts
 * const key = fileSigningKey(config.jwtSecret);
 * const token = signFileToken(key, { tenantId, fileId, expiresAt: new Date(Date.now() + 3_600_000) });
 * ```
 */
export function fileSigningKey(secretMaterial: string): FileSigningKey {
  if (secretMaterial.length < 32) throw new Error('fileSigningKey: the secret material must have at least 32 characters');
  const derived = hkdfSync('sha256', Buffer.from(secretMaterial, 'utf8'), Buffer.from('plinth', 'utf8'), Buffer.from(keyLabel, 'utf8'), 32);
  return new FileSigningKey(createSecretKey(Buffer.from(derived)));
}

/** What a download token grants: one file (or one of its variants) of one tenant, until `expiresAt`. */
export interface FileTokenClaims {
  tenantId: string;
  fileId: string;
  /** An image variant (`thumb`, `webp`…); absent for the original. */
  variant?: string;
  /** Second precision: the token carries whole seconds since the epoch. */
  expiresAt: Date;
}

/** {@link verifyFileToken}'s answer: the claims, or why the token is refused (only authentic tokens are `expired`). */
export type FileTokenCheck = { valid: true; claims: FileTokenClaims } | { valid: false; reason: 'expired' | 'invalid' };

const version = '1';
/** Ids and variant names are simple tokens (uuids, `thumb`); nothing in them may collide with the separator. */
const part = /^[A-Za-z0-9_-]{1,64}$/;
/** Far longer than any token we sign: longer input is refused before any work. */
const maxTokenLength = 512;

/**
 * A URL-safe token for a download URL: `<payload>.<mac>`, where the payload is base64url of
 * `1|tenant|file|variant|expires` and the MAC is HMAC-SHA256 over the payload as sent. The caller puts it in the
 * URL (`/api/v1/files/:id/content?token=…`); a token names its tenant, and the route must compare that with the
 * file's tenant (so a token of tenant A never opens a file of tenant B, even with B's id).
 */
export function signFileToken(key: FileSigningKey, claims: FileTokenClaims): string {
  for (const [name, value] of [
    ['tenantId', claims.tenantId],
    ['fileId', claims.fileId],
    ['variant', claims.variant ?? 'x'],
  ] as const) {
    if (!part.test(value)) throw new Error(`signFileToken: ${name} must be 1-64 characters of A-Z, a-z, 0-9, _ or -`);
  }
  const expires = Math.floor(claims.expiresAt.getTime() / 1000);
  if (!Number.isSafeInteger(expires) || expires <= 0) throw new Error('signFileToken: expiresAt must be a valid date');
  const payload = Buffer.from([version, claims.tenantId, claims.fileId, claims.variant ?? '', String(expires)].join('|'), 'utf8').toString('base64url');
  return `${payload}.${key.mac(payload)}`;
}

/**
 * Checks a download token at `now`: `invalid` for anything not signed by `key` exactly as given (a changed byte,
 * another key, garbage), `expired` for an authentic token whose time is up (at `expiresAt` itself too). The MAC is
 * compared in constant time and as text, so a second base64url spelling of the same bytes is refused too.
 */
export function verifyFileToken(key: FileSigningKey, token: string, now: Date): FileTokenCheck {
  const invalid: FileTokenCheck = { valid: false, reason: 'invalid' };
  if (typeof token !== 'string' || token.length > maxTokenLength) return invalid;
  const dot = token.indexOf('.');
  if (dot <= 0) return invalid;
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'utf8');
  const expected = Buffer.from(key.mac(payload), 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return invalid;
  const claims = decodePayload(payload);
  if (!claims) return invalid;
  if (now.getTime() >= claims.expiresAt.getTime()) return { valid: false, reason: 'expired' };
  return { valid: true, claims };
}

/** The claims of an authentic payload; undefined if it is not one we would have written (defence in depth). */
function decodePayload(payload: string): FileTokenClaims | undefined {
  const fields = Buffer.from(payload, 'base64url').toString('utf8').split('|');
  if (fields.length !== 5) return undefined;
  const [tokenVersion, tenantId, fileId, variant, expires] = fields as [string, string, string, string, string];
  if (tokenVersion !== version || !part.test(tenantId) || !part.test(fileId) || (variant !== '' && !part.test(variant))) return undefined;
  if (!/^[1-9][0-9]{0,15}$/.test(expires)) return undefined;
  return { tenantId, fileId, ...(variant ? { variant } : {}), expiresAt: new Date(Number(expires) * 1000) };
}
