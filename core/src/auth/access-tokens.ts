import { UnauthenticatedError } from '@plinth/sdk';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';

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

export interface AccessTokens {
  readonly ttlSeconds: number;
  sign(claims: Omit<AccessClaims, 'expiresAt'>): Promise<string>;
  /**
   * Verifies signature (HS256 only), issuer, audience, type and expiry; throws {@link UnauthenticatedError}
   * (synchronously for a token it verified before, whose claims come without a promise).
   */
  verify(token: string): AccessClaims | Promise<AccessClaims>;
}

const issuer = 'plinth';
const audience = 'plinth-api';

/**
 * Short-lived (15 min) HS256 JWTs. Verified tokens are remembered until they
 * expire, so a busy client pays for signature checking once, not per request;
 * revocation is checked per request against the user's cached state.
 */
export function createAccessTokens(secret: string, ttlSeconds = 900): AccessTokens {
  const key = new TextEncoder().encode(secret);
  const verified = new LRUCache<string, AccessClaims>({ max: 50_000 });
  return {
    ttlSeconds,
    async sign(claims) {
      return new SignJWT({ sid: claims.sessionId, ver: claims.tokenVersion, typ: 'access' })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(claims.userId)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(key);
    },
    verify(token) {
      const known = verified.get(token);
      if (known) {
        if (known.expiresAt * 1000 > Date.now()) return known;
        verified.delete(token);
        throw new UnauthenticatedError('Access token expired');
      }
      return verifySigned(token);
    },
  };

  async function verifySigned(token: string): Promise<AccessClaims> {
    try {
      const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'], issuer, audience, requiredClaims: ['sub', 'exp', 'sid', 'ver'] });
      if (payload.typ !== 'access' || typeof payload.sid !== 'string' || typeof payload.ver !== 'number') throw new UnauthenticatedError('Not an access token');
      const claims: AccessClaims = { userId: payload.sub!, sessionId: payload.sid, tokenVersion: payload.ver, expiresAt: payload.exp! };
      verified.set(token, claims);
      return claims;
    } catch (error) {
      if (error instanceof UnauthenticatedError) throw error;
      if (error instanceof joseErrors.JWTExpired) throw new UnauthenticatedError('Access token expired');
      throw new UnauthenticatedError('Invalid access token');
    }
  }
}
