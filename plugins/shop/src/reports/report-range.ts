import { Type, ValidationError } from '@plinth/sdk';

/** The first day of a report's range, in the tenant's time zone. */
export const FromDay = Type.String({ format: 'date', title: 'From', description: "First day, in the tenant's time zone" });
/** The last day of a report's range (included). */
export const ToDay = Type.String({ format: 'date', title: 'To', description: 'Last day, included' });

/**
 * Checks a report's range beyond its schema: `to` must not be before `from` (both are calendar days already, by
 * their `format: date`).
 */
export function checkRange(params: { from: string; to: string }): void {
  if (params.to < params.from) throw new ValidationError({ to: ['must not be before from'] });
}

/** The SQL condition "paid within the range" on `o.paid_at`, for days of the zone `$3` from `$1` to `$2`. */
export const paidInRange = 'o.paid_at >= ($1::date::timestamp at time zone $3) and o.paid_at < (($2::date + 1)::timestamp at time zone $3)';
