import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** A random, URL-safe token of `bytes` bytes of entropy (default 32 = 256 bits). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** SHA-256 hex digest: how opaque tokens are stored (they have enough entropy not to need a slow hash). */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** AES-256-GCM for secrets at rest; the payload carries version, IV and tag: `v1.<iv>.<tag>.<ciphertext>`. */
export interface SecretBox {
  seal(plaintext: string): string;
  open(payload: string): string;
}

export function createSecretBox(key: string): SecretBox {
  const derived = createHash('sha256').update(`plinth:secret-box:${key}`).digest();
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', derived, iv);
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
    },
    open(payload) {
      const [version, iv, tag, ciphertext] = payload.split('.');
      if (version !== 'v1' || !iv || !tag || ciphertext === undefined) throw new Error('not a sealed secret');
      const decipher = createDecipheriv('aes-256-gcm', derived, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}
