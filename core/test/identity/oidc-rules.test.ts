import { describe, expect, it } from 'vitest';
import { entraVouchesForEmail, isLoopbackHttp, safeReturnTo } from '../../src/identity/oidc-flows.js';
import { githubEndpoints } from '../../src/identity/github.js';

// The small rules of the OpenID Connect engine that need no provider.
describe('OpenID Connect rules', () => {
  it('keeps return_to on this site', () => {
    expect(safeReturnTo('/t/acme/members?x=1')).toBe('/t/acme/members?x=1');
    for (const unsafe of ['//evil.test', '/\\evil.test', 'https://evil.test/', 'javascript:alert(1)', '/a\nb', '/a\\b', '', undefined, `/${'a'.repeat(600)}`]) {
      expect(safeReturnTo(unsafe)).toBe('/');
    }
  });

  it('trusts a Microsoft email only with the xms_edov claim, and only from Microsoft', () => {
    const entra = 'https://login.microsoftonline.com/common/v2.0';
    expect(entraVouchesForEmail(entra, { email: 'a@b.test' })).toBe(false);
    expect(entraVouchesForEmail(entra, { email: 'a@b.test', xms_edov: true })).toBe(true);
    expect(entraVouchesForEmail(entra, { email: 'a@b.test', xms_edov: '1' })).toBe(true);
    expect(entraVouchesForEmail(entra, { email: 'a@b.test', xms_edov: false })).toBe(false);
    expect(entraVouchesForEmail('https://idp.example.test', { email: 'a@b.test', xms_edov: true })).toBe(false);
  });

  it('allows plain http only on this machine', () => {
    expect(isLoopbackHttp('http://127.0.0.1:4000')).toBe(true);
    expect(isLoopbackHttp('http://localhost:4000')).toBe(true);
    expect(isLoopbackHttp('http://idp.example.test')).toBe(false);
    expect(isLoopbackHttp('https://127.0.0.1')).toBe(false);
  });

  it('finds GitHub’s endpoints, and a GitHub Enterprise Server’s', () => {
    expect(githubEndpoints('https://github.com')).toEqual({
      authorize: 'https://github.com/login/oauth/authorize',
      token: 'https://github.com/login/oauth/access_token',
      api: 'https://api.github.com',
    });
    expect(githubEndpoints('https://git.example.test/').api).toBe('https://git.example.test/api/v3');
  });
});
