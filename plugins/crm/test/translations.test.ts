import { missingTranslations, placeholderMismatches, translatableStrings } from '@plinth/core/testing';
import { describe, expect, it } from 'vitest';
import crm from '../src/index.js';

describe('CRM translations', () => {
  it('has Arabic for every text the console can show', () => {
    expect(translatableStrings(crm).length).toBeGreaterThan(50);
    expect(missingTranslations(crm, 'ar')).toEqual([]);
    expect(placeholderMismatches(crm, 'ar')).toEqual([]);
  });
});
