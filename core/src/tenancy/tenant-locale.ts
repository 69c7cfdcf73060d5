import { ValidationError } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import type { ScopedDb } from '../db/scoped-db.js';

/** The tenant's time zone, locale and default currency, as `PATCH /tenant` takes them (each optional). */
export const TenantLocaleFields = {
  time_zone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "IANA time zone, e.g. 'Europe/Paris' or 'UTC'" })),
  locale: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "BCP 47 language tag, e.g. 'fr-FR'; stored in canonical form" })),
  currency: Type.Optional(Type.String({ minLength: 1, maxLength: 3, description: "ISO 4217 currency code, e.g. 'EUR'" })),
};

export interface TenantLocale {
  time_zone?: string;
  locale?: string;
  currency?: string;
}

// The runtime's own lists (ICU), read once: what `Intl` can format is what a tenant may choose.
const timeZones = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);
const currencies = new Set(Intl.supportedValuesOf('currency'));

/** The canonical form of a BCP 47 tag (`en-us` → `en-US`), or undefined when it is not one. */
function canonicalLocale(tag: string): string | undefined {
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    return canonical;
  } catch {
    return undefined;
  }
}

/**
 * Checks the time zone (IANA), locale (BCP 47) and currency (ISO 4217) given, naming every field that is wrong in
 * one 422; returns them ready to store (the locale canonical).
 */
export function checkTenantLocale(input: TenantLocale): TenantLocale {
  const errors: Record<string, string[]> = {};
  const checked: TenantLocale = {};
  if (input.time_zone !== undefined) {
    if (timeZones.has(input.time_zone)) checked.time_zone = input.time_zone;
    else errors.time_zone = ["must be an IANA time zone, such as 'Europe/Paris' or 'UTC'"];
  }
  if (input.locale !== undefined) {
    const locale = canonicalLocale(input.locale);
    if (locale) checked.locale = locale;
    else errors.locale = ["must be a BCP 47 language tag, such as 'en' or 'fr-FR'"];
  }
  if (input.currency !== undefined) {
    if (currencies.has(input.currency)) checked.currency = input.currency;
    else errors.currency = ["must be an ISO 4217 currency code in capitals, such as 'EUR'"];
  }
  if (Object.keys(errors).length) throw new ValidationError(errors);
  return checked;
}

/** Refuses a time zone PostgreSQL does not know (its tz data may lag the runtime's): plugins use it in SQL too (`at time zone`). */
export async function checkDatabaseTimeZone(db: ScopedDb, timeZone: string | undefined): Promise<void> {
  if (timeZone === undefined) return;
  const [known] = await db.query('select 1 from pg_timezone_names where name = $1', [timeZone]);
  if (!known) throw new ValidationError({ time_zone: ['is not a time zone this database knows'] });
}
