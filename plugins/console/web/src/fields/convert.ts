/**
 * Conversions between what a field's input holds (text typed by a person, in the tenant's currency and time
 * zone) and what the API stores (minor units, basis points, UTC instants). Pure functions: no DOM.
 */

/** Arabic-Indic and Persian digits and separators typed into a number field, as ASCII (`١٢٫٥` → `12.5`). */
export function asciiDigits(text: string): string {
  return text
    .replace(/[\u0660-\u0669]/g, (digit) => String(digit.charCodeAt(0) - 0x0660))
    .replace(/[\u06f0-\u06f9]/g, (digit) => String(digit.charCodeAt(0) - 0x06f0))
    .replace(/\u066b/g, '.')
    .replace(/[\u066c\s]/g, '');
}

/**
 * A decimal typed by a person as an integer count of `10^-digits` units, exactly (no floating point):
 * `decimalToScaled('12.5', 2)` → `1250`. Undefined when the text is not a number or has more decimals.
 */
export function decimalToScaled(text: string, digits: number): number | undefined {
  const match = /^([+-]?)(\d*)(?:[.,](\d*))?$/.exec(asciiDigits(text.trim()));
  if (!match || (match[2] === '' && !match[3])) return undefined;
  const fraction = match[3] ?? '';
  if (fraction.length > digits) return undefined;
  const scaled = Number(`${match[2] || '0'}${fraction.padEnd(digits, '0')}`);
  if (!Number.isSafeInteger(scaled)) return undefined;
  return match[1] === '-' ? -scaled : scaled;
}

/** An integer count of `10^-digits` units as the shortest decimal text: `scaledToDecimal(1250, 2)` → `12.5`. */
export function scaledToDecimal(value: number, digits: number, keepDigits = false): string {
  const negative = value < 0;
  const whole = String(Math.abs(Math.trunc(value))).padStart(digits + 1, '0');
  const integer = whole.slice(0, whole.length - digits);
  let fraction = digits > 0 ? whole.slice(whole.length - digits) : '';
  if (!keepDigits) fraction = fraction.replace(/0+$/, '');
  return `${negative ? '-' : ''}${integer}${fraction ? `.${fraction}` : ''}`;
}

/** Minor units as the amount typed in a money input, with all of the currency's decimals: `1250` → `12.50`. */
export function moneyDraft(minor: number, digits: number): string {
  return scaledToDecimal(minor, digits, true);
}

/** The amount typed in a money input as minor units (`12.5`, USD → `1250`); undefined when it is not one. */
export function moneyValue(text: string, digits: number): number | undefined {
  return decimalToScaled(text, digits);
}

/** Basis points as the percentage typed (`1250` → `12.5`). */
export function percentDraft(basisPoints: number): string {
  return scaledToDecimal(basisPoints, 2);
}

/** A typed percentage as basis points (`12.5` → `1250`); undefined with more than two decimals. */
export function percentValue(text: string): number | undefined {
  return decimalToScaled(text.replace(/[%\u066a]/g, ''), 2);
}

const partFormats = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock fields of an instant in a time zone. */
function wallClock(epoch: number, timeZone: string): [number, number, number, number, number, number] {
  let format = partFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partFormats.set(timeZone, format);
  }
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(new Date(epoch))) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return [parts.year!, parts.month!, parts.day!, parts.hour! % 24, parts.minute!, parts.second!];
}

/** How far a time zone's wall clock is ahead of UTC at an instant, in milliseconds. */
function zoneOffset(epoch: number, timeZone: string): number {
  const [year, month, day, hour, minute, second] = wallClock(epoch, timeZone);
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  return asUtc - (epoch - (((epoch % 1000) + 1000) % 1000));
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** An instant (ISO 8601) as the `datetime-local` value of its wall-clock time in `timeZone` (`2026-03-29T10:30`). */
export function isoToLocalInput(iso: string, timeZone: string): string {
  const epoch = Date.parse(iso);
  if (Number.isNaN(epoch)) return '';
  const [year, month, day, hour, minute] = wallClock(epoch, timeZone);
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}`;
}

/**
 * A `datetime-local` value read as a wall-clock time in `timeZone`, as an ISO 8601 UTC instant. A time the
 * clocks skip (a spring-forward gap) is read with the offset before the change, so it lands just after the gap;
 * a time that happens twice (autumn) is the first of the two. Undefined when the text is not a date-time.
 */
export function localInputToIso(text: string, timeZone: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  if (Number.isNaN(wall) || new Date(wall).getUTCDate() !== day || hour > 23 || minute > 59) return undefined;
  // The offset a few hours before and after the wall time: the earlier one wins where the two readings agree.
  const before = zoneOffset(wall - 6 * 3_600_000, timeZone);
  const after = zoneOffset(wall + 6 * 3_600_000, timeZone);
  const candidates = [wall - before, wall - after].filter((epoch) => {
    const [y, mo, d, h, mi] = wallClock(epoch, timeZone);
    return y === year && mo === month && d === day && h === hour && mi === minute;
  });
  const epoch = candidates.length > 0 ? Math.min(...candidates) : wall - before;
  return new Date(epoch).toISOString();
}

/** The zone's name for people (`Asia/Riyadh` → `Riyadh`, with its offset: `GMT+3`). */
export function zoneLabel(timeZone: string, locale = 'en'): string {
  const city = timeZone.split('/').pop()!.replace(/_/g, ' ');
  try {
    const offset = new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'shortOffset' })
      .formatToParts(new Date())
      .find((part) => part.type === 'timeZoneName')?.value;
    return offset ? `${city} (${offset})` : city;
  } catch {
    return city;
  }
}

/** Where JSON.parse stopped, as a line and column (1-based), from its message (V8 or Firefox) and the text. */
export function jsonErrorPosition(text: string, message: string): { line: number; column: number } {
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn) return { line: Number(lineColumn[1]), column: Number(lineColumn[2]) };
  const position = /position (\d+)/.exec(message);
  const offset = position ? Number(position[1]) : text.length;
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

/** Parses JSON; on failure, the line and column of the problem. */
export function parseJson(text: string): { value: unknown } | { line: number; column: number } {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return jsonErrorPosition(text, (error as Error).message);
  }
}
