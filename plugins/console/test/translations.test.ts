import { missingTranslations, translatableStrings } from '@plinth/core/testing';
import { describe, expect, it } from 'vitest';
import consolePlugin from '../src/index.js';

describe('console plugin translations', () => {
  it('has Arabic for every text the host shows for the console plugin', () => {
    expect(translatableStrings(consolePlugin)).toEqual(expect.arrayContaining(['Console']));
    expect(missingTranslations(consolePlugin, 'ar')).toEqual([]);
  });
});
