/** The analytics API's shapes and the pure arithmetic of the analytics screens (ranges in the tenant's zone, rates). */

export interface Counts {
  views: number;
  clicks: number;
  uniques: number;
}

export interface Share {
  value: string;
  views: number;
  clicks: number;
}

/** `GET /bio-sites/short-links/:id/analytics` (and the common part of a site's). */
export interface SubjectAnalytics {
  from: string;
  to: string;
  totals: Counts;
  series: (Counts & { day: string })[];
  referrers: Share[];
  devices: Share[];
  countries: Share[];
}

/** `GET /bio-sites/sites/:id/analytics`. */
export interface SiteAnalytics extends SubjectAnalytics {
  links: { link_id: string; title: string; clicks: number; uniques: number }[];
}

/** The range picker's state: a preset number of days ending today, or custom dates. */
export type RangeChoice = { preset: 7 | 30 | 90 } | { preset: 'custom'; from: string; to: string };

/** Today's date (`YYYY-MM-DD`) in an IANA time zone: the analytics API counts days in the tenant's zone. */
export function todayIn(timeZone: string, now = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const part = (type: string) => parts.find((item) => item.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** `day` moved by `days` (calendar arithmetic on the date alone, no zone involved). */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The API query of a choice: presets end today in the tenant's zone and include it. */
export function rangeQuery(choice: RangeChoice, timeZone: string): { from: string; to: string } {
  if (choice.preset === 'custom') return { from: choice.from, to: choice.to };
  const to = todayIn(timeZone);
  return { from: addDays(to, 1 - choice.preset), to };
}

/** Clicks per view in basis points (`plinth.format.percent`), or undefined without views. */
export function clickRate(clicks: number, views: number): number | undefined {
  return views > 0 ? Math.round((clicks / views) * 10_000) : undefined;
}
