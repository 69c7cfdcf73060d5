/** Which generated pages link to plugins' own screens, and with which parameters (web/src/screen-links.ts). */
import { describe, expect, it } from 'vitest';
import { isOn, paramsOf, primaryScreenOn, recordPathOf, screenPath, screensOn } from '../web/src/screen-links.js';
import type { MarketplaceEntry, PluginScreen } from '../web/src/session.js';

const screen = (element: string, on: string | null, extra: Partial<PluginScreen> = {}): PluginScreen => ({
  element,
  label: element,
  on,
  primary: false,
  icon: null,
  permission: null,
  ...extra,
});
const sites = {
  name: 'bio-sites',
  enabled: true,
  web: '/web/bio-sites/',
  screens: [
    screen('bio-site-analytics', '/sites/:id', { permission: 'bio-sites.analytics.view' }),
    screen('bio-site-editor', '/sites/:id', { primary: true }),
    screen('bio-sites-overview', '/sites'),
    screen('bio-sites-help', null),
  ],
} as unknown as MarketplaceEntry;
const tenant = (granted: string[], plugins = [sites]) => ({ plugins, can: (permission: string | undefined) => !permission || granted.includes(permission) });

describe('screen links', () => {
  it("matches a screen's route to the OpenAPI template, parameters by position", () => {
    expect(isOn('/sites/:id', 'bio-sites', '/api/v1/bio-sites/sites/{id}')).toBe(true);
    expect(isOn('/sites/:id', 'bio-sites', '/api/v1/bio-sites/sites/{siteId}')).toBe(true);
    expect(isOn('/sites/:id', 'bio-sites', '/api/v1/bio-sites/sites')).toBe(false);
    expect(isOn('/sites/:id', 'bio-sites', '/api/v1/bio-sites/sites/stats')).toBe(false);
    expect(isOn('/sites/:id', 'bio-sites', '/api/v1/shop/sites/{id}')).toBe(false);
  });

  it('lists the screens the user may open, primary first', () => {
    expect(screensOn(tenant([]), '/api/v1/bio-sites/sites/{id}').map((link) => link.screen.element)).toEqual(['bio-site-editor']);
    expect(screensOn(tenant(['bio-sites.analytics.view']), '/api/v1/bio-sites/sites/{id}').map((link) => link.screen.element)).toEqual([
      'bio-site-editor',
      'bio-site-analytics',
    ]);
    expect(screensOn(tenant([]), '/api/v1/bio-sites/sites').map((link) => link.screen.element)).toEqual(['bio-sites-overview']);
    expect(primaryScreenOn(tenant([]), '/api/v1/bio-sites/sites')).toBeUndefined();
    expect(primaryScreenOn(tenant([]), '/api/v1/bio-sites/sites/{id}')?.screen.element).toBe('bio-site-editor');
  });

  it('offers nothing of a disabled plugin', () => {
    expect(screensOn(tenant([], [{ ...sites, enabled: false }]), '/api/v1/bio-sites/sites/{id}')).toEqual([]);
    expect(screensOn(tenant([]), undefined)).toEqual([]);
  });

  it("opens a screen with the route's parameters, and finds the record back from them", () => {
    const editor = primaryScreenOn(tenant([]), '/api/v1/bio-sites/sites/{id}')!;
    expect(paramsOf('/sites/:id', '/bio-sites/sites/a%20b')).toEqual({ id: 'a b' });
    expect(screenPath(editor, '/bio-sites/sites/123')).toBe('/w/bio-sites/bio-site-editor?id=123');
    expect(screenPath({ plugin: 'bio-sites', screen: screen('bio-sites-overview', '/sites') }, '/bio-sites/sites')).toBe('/w/bio-sites/bio-sites-overview');
    expect(recordPathOf('bio-sites', '/sites/:id', { id: '123' })).toBe('/bio-sites/sites/123');
    expect(recordPathOf('bio-sites', '/sites/:id', {})).toBeUndefined();
  });
});
