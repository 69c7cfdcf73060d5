import { missingTranslations, placeholderMismatches, translatableStrings } from '@plinth/core/testing';
import { describe, expect, it } from 'vitest';
import lms from '../src/index.js';

describe('LMS translations', () => {
  it('has Arabic for every text the console can show', () => {
    expect(translatableStrings(lms).length).toBeGreaterThan(100);
    expect(missingTranslations(lms, 'ar')).toEqual([]);
    expect(placeholderMismatches(lms, 'ar')).toEqual([]);
  });

  it('writes every Arabic text in Arabic script (technical tokens aside)', () => {
    const technical = new Set(['SEO']);
    const untranslated = Object.entries(lms.translations?.ar ?? {}).filter(([, arabic]) => !/[\u0600-\u06FF]/.test(arabic) && !technical.has(arabic));
    expect(untranslated).toEqual([]);
  });
});
