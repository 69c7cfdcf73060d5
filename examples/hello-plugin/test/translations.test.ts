import { missingTranslations, translatableStrings } from '@plinth/core/testing';
import { describe, expect, it } from 'vitest';
import hello from '../src/index.js';

describe('Hello translations', () => {
  it('has Arabic for every text the console can show', () => {
    expect(translatableStrings(hello)).toContain('Post a greeting on the wall');
    expect(missingTranslations(hello, 'ar')).toEqual([]);
  });
});
