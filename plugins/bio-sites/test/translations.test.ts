import { missingTranslations, placeholderMismatches, translatableStrings } from '@plinth/core/testing';
import { describe, expect, it } from 'vitest';
import bioSites from '../src/index.js';

describe('Bio Sites translations', () => {
  it('has Arabic for every text the console can show', () => {
    expect(translatableStrings(bioSites).length).toBeGreaterThan(100);
    expect(missingTranslations(bioSites, 'ar')).toEqual([]);
    expect(placeholderMismatches(bioSites, 'ar')).toEqual([]);
  });

  it('writes every Arabic text in Arabic script (technical tokens aside)', () => {
    const technical = new Set(['SEO']);
    const untranslated = Object.entries(bioSites.translations?.ar ?? {}).filter(([, arabic]) => !/[\u0600-\u06FF]/.test(arabic) && !technical.has(arabic));
    expect(untranslated).toEqual([]);
  });
});
