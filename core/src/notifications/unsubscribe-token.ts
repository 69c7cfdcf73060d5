import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { isUuid } from '../db/scoped-db.js';

/** What an unsubscribe link stands for: one person's email of one category in one tenant. */
export interface UnsubscribeClaims {
  tenantId: string;
  userId: string;
  category: string;
}

/** HKDF `info`: the key's one use; tokens of another kind can never verify here. */
const keyLabel = 'plinth notification unsubscribe v1';

const keys = new Map<string, Buffer>();

function keyFor(secretMaterial: string): Buffer {
  let key = keys.get(secretMaterial);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', Buffer.from(secretMaterial, 'utf8'), Buffer.from('plinth', 'utf8'), Buffer.from(keyLabel, 'utf8'), 32));
    keys.set(secretMaterial, key);
  }
  return key;
}

const mac = (secretMaterial: string, text: string) => createHmac('sha256', keyFor(secretMaterial)).update(text).digest('base64url');

/**
 * A token for the mail's `List-Unsubscribe` link (RFC 8058): the claims, base64url, and their HMAC under a key
 * derived from the host's secret. It does not expire: a link in an old mail still works, as receivers expect.
 */
export function signUnsubscribe(secretMaterial: string, claims: UnsubscribeClaims): string {
  const body = Buffer.from(JSON.stringify([claims.tenantId, claims.userId, claims.category]), 'utf8').toString('base64url');
  return `${body}.${mac(secretMaterial, body)}`;
}

/** The claims of a token this host signed, or undefined for anything else. */
export function verifyUnsubscribe(secretMaterial: string, token: string): UnsubscribeClaims | undefined {
  const [body, signature, extra] = token.split('.');
  if (!body || !signature || extra !== undefined) return undefined;
  const expected = Buffer.from(mac(secretMaterial, body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  try {
    const [tenantId, userId, category] = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown[];
    if (typeof tenantId !== 'string' || typeof userId !== 'string' || typeof category !== 'string' || !isUuid(tenantId) || !isUuid(userId)) return undefined;
    return { tenantId, userId, category };
  } catch {
    return undefined;
  }
}
