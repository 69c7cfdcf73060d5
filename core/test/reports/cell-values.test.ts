import { describe, expect, it } from 'vitest';
import { calendarDate, currencyDigits, moneyAmount, wallClock } from '../../src/reports/writers/cell-values.js';
import { field } from '../../src/reports/writers/csv-writer.js';

/** The wall clock as Intl gives it, for every instant: what the cached offsets must agree with. */
function intlClock(date: Date, timeZone: string) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}:${parts.second}` };
}

describe('wallClock', () => {
  it.each(['UTC', 'Asia/Riyadh', 'Asia/Kolkata', 'Europe/Berlin', 'America/St_Johns', 'Australia/Lord_Howe', 'America/Sao_Paulo'])(
    'agrees with Intl in %s through a year, across its offset changes',
    (timeZone) => {
      const start = Date.UTC(2026, 0, 1);
      const wrong: string[] = [];
      // Every 47 minutes 11 seconds and a few milliseconds: every quarter hour's offsets, both sides of each change.
      for (let instant = start; instant < start + 366 * 86_400_000; instant += 2_831_007) {
        const date = new Date(instant);
        const expected = intlClock(date, timeZone);
        const actual = wallClock(date, timeZone);
        if (actual.date !== expected.date || actual.time !== expected.time) wrong.push(`${date.toISOString()}: ${JSON.stringify(actual)}`);
      }
      expect(wrong).toEqual([]);
    },
  );
});

describe('cells', () => {
  it('money in major units by the currency’s digits; dates as given or in the time zone', () => {
    expect([currencyDigits('USD'), currencyDigits('JPY'), currencyDigits('KWD'), currencyDigits('XXX?')]).toEqual([2, 0, 3, 2]);
    expect(moneyAmount('1999', 'USD')).toBe(19.99);
    expect(moneyAmount(1999, 'KWD')).toBe(1.999);
    expect(moneyAmount(null, 'USD')).toBeNull();
    expect(calendarDate('2026-03-01', 'Asia/Tokyo')).toBe('2026-03-01');
    expect(calendarDate(new Date('2026-03-01T20:00:00Z'), 'Asia/Tokyo')).toBe('2026-03-02');
  });

  it('CSV fields: quoted when needed, formulas defused', () => {
    expect(field('plain', true)).toBe('plain');
    expect(field('a,b', true)).toBe('"a,b"');
    expect(field('say "hi"\nbye', true)).toBe('"say ""hi""\nbye"');
    for (const formula of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx']) expect(field(formula, true)).toBe(`'${formula}`);
    expect(field('-1', false)).toBe('-1');
  });
});
