import { missingTranslations, placeholderMismatches, translatableStrings } from '@plinth/core/testing';
import { describe, expect, it } from 'vitest';
import integrations from '../src/index.js';

describe('Integrations translations', () => {
  it('has Arabic for every text the console can show', () => {
    expect(translatableStrings(integrations).length).toBeGreaterThan(50);
    expect(missingTranslations(integrations, 'ar')).toEqual([]);
    expect(placeholderMismatches(integrations, 'ar')).toEqual([]);
  });
});
