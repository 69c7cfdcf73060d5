/** A clock the test moves by hand. */
export class ManualClock {
  private current: number;
  constructor(start = Date.parse('2026-11-21T12:00:00Z')) {
    this.current = start;
  }
  now(): Date {
    return new Date(this.current);
  }
  set(date: Date): void {
    this.current = date.getTime();
  }
  advance(ms: number): void {
    this.current += ms;
  }
}
