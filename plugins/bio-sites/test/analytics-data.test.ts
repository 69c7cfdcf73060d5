import { describe, expect, it } from 'vitest';
import { zoneDay } from '../src/public/visitor.js';
import { addDays, clickRate, rangeQuery, todayIn } from '../web/parts/analytics-data.js';

// 06:30 UTC on 10 March 2026: still the 9th in Los Angeles, already the 10th in Tokyo.
const instant = new Date('2026-03-10T06:30:00Z');

describe('analytics days and rates', () => {
  it("takes a day's date in the tenant's zone, on the server and in the screen alike", () => {
    expect(zoneDay('America/Los_Angeles', instant)).toBe('2026-03-09');
    expect(zoneDay('Asia/Tokyo', instant)).toBe('2026-03-10');
    expect(zoneDay('UTC', instant)).toBe('2026-03-10');
    for (const zone of ['America/Los_Angeles', 'Asia/Tokyo', 'Pacific/Kiritimati', 'UTC']) expect(todayIn(zone, instant)).toBe(zoneDay(zone, instant));
  });

  it('ends a preset range today in the zone and includes today', () => {
    const today = todayIn('Pacific/Kiritimati');
    expect(rangeQuery({ preset: 7 }, 'Pacific/Kiritimati')).toEqual({ from: addDays(today, -6), to: today });
    expect(rangeQuery({ preset: 'custom', from: '2026-01-01', to: '2026-01-31' }, 'UTC')).toEqual({ from: '2026-01-01', to: '2026-01-31' });
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('gives the click-through rate in basis points, none without views', () => {
    expect(clickRate(1, 2)).toBe(5000);
    expect(clickRate(1, 3)).toBe(3333);
    expect(clickRate(0, 0)).toBeUndefined();
  });
});
