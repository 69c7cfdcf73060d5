import { missingTranslations, placeholderMismatches, translatableStrings } from '@plinth/core/testing';
import { describe, expect, it } from 'vitest';
import payments from '../src/index.js';

/** English keys whose Arabic is a technical token kept as it is. */
const technical: string[] = [];

describe('Payments translations', () => {
  const arabic = payments.translations?.ar ?? {};

  it('has Arabic for every text the console can show', () => {
    expect(translatableStrings(payments).length).toBeGreaterThan(50);
    expect(missingTranslations(payments, 'ar')).toEqual([]);
  });

  it('keeps the placeholders of every notification in Arabic', () => {
    expect(Object.keys(payments.notifications?.templates ?? {}).length).toBeGreaterThan(0);
    expect(placeholderMismatches(payments, 'ar')).toEqual([]);
  });

  it('keeps no entry for text the console no longer shows', () => {
    const shown = new Set(translatableStrings(payments));
    expect(Object.keys(arabic).filter((english) => !shown.has(english))).toEqual([]);
  });

  it('writes every translation in Arabic script, technical tokens aside', () => {
    const latinOnly = Object.entries(arabic).filter(([, text]) => !/[\u0600-\u06FF]/.test(text));
    expect(latinOnly.map(([english]) => english).sort()).toEqual([...technical].sort());
  });
});
