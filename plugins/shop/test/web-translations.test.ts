import { describe, expect, it } from 'vitest';
import { translations } from '../src/translations.js';
import { webSources, webTexts } from './web-text.js';

describe('shop console screens: translations', () => {
  const used = webTexts();

  it('finds the screens’ text', () => {
    expect(webSources().length).toBeGreaterThan(0);
    expect(used.length).toBeGreaterThan(20);
  });

  it('has Arabic for every t() text of the web screens', () => {
    const arabic = translations.ar ?? {};
    expect(used.filter((english) => !arabic[english])).toEqual([]);
  });
});
