import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fileSigningKey, signFileToken, verifyFileToken } from '../../src/files/signing.js';

const material = 'a-jwt-secret-of-at-least-thirty-two-characters';
const key = fileSigningKey(material);
const tenantA = '0b1f6c9e-7a51-4c39-9d7e-2f0c1b8a4e11';
const tenantB = '5d2e8f40-1c3b-4a6d-8e9f-7a0b1c2d3e44';
const fileId = '9c8b7a65-4321-4fed-8cba-0987654321ab';
const now = new Date('2026-12-04T12:00:00Z');
const inAnHour = new Date(now.getTime() + 3_600_000);

describe('signed file tokens', () => {
  it('round-trip the claims, with and without a variant', () => {
    const original = verifyFileToken(key, signFileToken(key, { tenantId: tenantA, fileId, expiresAt: inAnHour }), now);
    expect(original).toEqual({ valid: true, claims: { tenantId: tenantA, fileId, expiresAt: inAnHour } });
    const thumb = verifyFileToken(key, signFileToken(key, { tenantId: tenantA, fileId, variant: 'thumb', expiresAt: inAnHour }), now);
    expect(thumb).toEqual({ valid: true, claims: { tenantId: tenantA, fileId, variant: 'thumb', expiresAt: inAnHour } });
  });

  it('are URL-safe', () => {
    const token = signFileToken(key, { tenantId: tenantA, fileId, variant: 'webp', expiresAt: inAnHour });
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(encodeURIComponent(token)).toBe(token);
  });

  it('name the tenant they were signed for, so the caller can refuse them for another tenant', () => {
    const forA = verifyFileToken(key, signFileToken(key, { tenantId: tenantA, fileId, expiresAt: inAnHour }), now);
    const forB = verifyFileToken(key, signFileToken(key, { tenantId: tenantB, fileId, expiresAt: inAnHour }), now);
    expect(forA.valid && forA.claims.tenantId).toBe(tenantA);
    expect(forB.valid && forB.claims.tenantId).toBe(tenantB);
  });

  it('expire at expiresAt (second precision), not before', () => {
    const token = signFileToken(key, { tenantId: tenantA, fileId, expiresAt: inAnHour });
    expect(verifyFileToken(key, token, new Date(inAnHour.getTime() - 1000)).valid).toBe(true);
    expect(verifyFileToken(key, token, inAnHour)).toEqual({ valid: false, reason: 'expired' });
    expect(verifyFileToken(key, token, new Date(inAnHour.getTime() + 86_400_000))).toEqual({ valid: false, reason: 'expired' });
  });

  it('are invalid when any single character is changed', () => {
    const token = signFileToken(key, { tenantId: tenantA, fileId, variant: 'thumb', expiresAt: inAnHour });
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    for (let index = 0; index < token.length; index++) {
      // Two replacements per position: the next character, and one that differs only in the low bits (a second
      // base64url spelling of the same bytes when the position is the last of the MAC).
      const current = alphabet.indexOf(token[index]!);
      for (const replacement of [alphabet[(current + 1) % alphabet.length]!, alphabet[current ^ 1]!]) {
        if (replacement === token[index]) continue;
        const altered = token.slice(0, index) + replacement + token.slice(index + 1);
        expect(verifyFileToken(key, altered, now), `position ${index} → ${replacement}`).toEqual({ valid: false, reason: 'invalid' });
      }
    }
  });

  it('are invalid when truncated, extended, or garbage', () => {
    const token = signFileToken(key, { tenantId: tenantA, fileId, expiresAt: inAnHour });
    for (const bad of [token.slice(0, -1), `${token}A`, `${token}.x`, token.split('.')[0]!, `.${token.split('.')[1]!}`, '', '.', 'x'.repeat(10_000)]) {
      expect(verifyFileToken(key, bad, now)).toEqual({ valid: false, reason: 'invalid' });
    }
  });

  it('a payload changed to another tenant or file, re-encoded, is invalid', () => {
    const [payload, mac] = signFileToken(key, { tenantId: tenantA, fileId, expiresAt: inAnHour }).split('.') as [string, string];
    const text = Buffer.from(payload, 'base64url').toString('utf8');
    for (const forged of [text.replace(tenantA, tenantB), text.replace(/\|\d+$/, '|9999999999'), text.replace(`${fileId}|`, `${fileId}|thumb`)]) {
      expect(forged).not.toBe(text);
      expect(verifyFileToken(key, `${Buffer.from(forged).toString('base64url')}.${mac}`, now)).toEqual({ valid: false, reason: 'invalid' });
    }
  });

  it('signed with another key are invalid', () => {
    const other = fileSigningKey('another-secret-of-at-least-thirty-two-chars!');
    const token = signFileToken(other, { tenantId: tenantA, fileId, expiresAt: inAnHour });
    expect(verifyFileToken(key, token, now)).toEqual({ valid: false, reason: 'invalid' });
  });

  it('use a key derived from the secret material, not the material itself', () => {
    const token = signFileToken(key, { tenantId: tenantA, fileId, expiresAt: inAnHour });
    const [payload, mac] = token.split('.') as [string, string];
    expect(createHmac('sha256', material).update(payload).digest('base64url')).not.toBe(mac);
    // Deterministic: a restarted host (same material) verifies the URLs it handed out before.
    expect(verifyFileToken(fileSigningKey(material), token, now).valid).toBe(true);
  });

  it('refuse claims that could not be read back', () => {
    expect(() => signFileToken(key, { tenantId: 'a|b', fileId, expiresAt: inAnHour })).toThrow(/tenantId/);
    expect(() => signFileToken(key, { tenantId: tenantA, fileId: '', expiresAt: inAnHour })).toThrow(/fileId/);
    expect(() => signFileToken(key, { tenantId: tenantA, fileId, variant: '../x', expiresAt: inAnHour })).toThrow(/variant/);
    expect(() => signFileToken(key, { tenantId: tenantA, fileId, expiresAt: new Date(Number.NaN) })).toThrow(/expiresAt/);
    expect(() => fileSigningKey('short')).toThrow(/32 characters/);
  });
});
