import { ConflictError, isUniqueViolation, Type, UnitRef, type Static } from '@plinth/sdk';

const Timestamp = Type.String({ format: 'date-time' });
const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

/** A contact as the API shows it. */
export const Contact = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Nullable(Type.String()),
  email: Type.String({ format: 'email' }),
  phone: Nullable(Type.String()),
  company: Nullable(Type.String()),
  tags: Type.Array(Type.String()),
  custom_fields: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Null()])),
  source: Nullable(Type.String()),
  score: Type.Integer(),
  owner_id: Nullable(Type.String({ format: 'uuid' })),
  unit_id: Type.Union([UnitRef(), Type.Null()]),
  unsubscribed: Type.Boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
  deleted_at: Nullable(Timestamp),
});
export type Contact = Static<typeof Contact>;

/**
 * The select list that {@link toContact} reads, on alias `c`. The unsubscribe check is one index probe per contact
 * read: `offset 0` keeps PostgreSQL from planning it as a hashed subplan, which reads and hashes every unsubscribe
 * of the tenant on each statement (its cached plan for a list page did: 5,000 unsubscribes hashed to show 20
 * contacts, 3 ms of the page's 8 ms).
 */
export const contactColumns = `c.id, c.name, c.email, c.phone, c.company, c.tags, c.custom_fields, c.source, c.score, c.owner_id, c.unit_id,
  c.created_at, c.updated_at, c.deleted_at,
  exists (select 1 from crm_unsubscribes u where u.email_key = c.email_key offset 0) as unsubscribed`;

export type ContactRow = Omit<Contact, 'created_at' | 'updated_at' | 'deleted_at'> & { created_at: Date; updated_at: Date; deleted_at: Date | null };

/** A row read with {@link contactColumns}, as the API shows it. */
export function toContact(row: ContactRow): Contact {
  return {
    ...row,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    deleted_at: row.deleted_at ? row.deleted_at.toISOString() : null,
  };
}

/** The email check of the API (the same shape ajv-formats accepts), for input that bypasses schemas (CSV, events). */
const emailPattern = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;

/** Whether `value` is an email address the CRM accepts. */
export function isEmail(value: string): boolean {
  return value.length <= 254 && emailPattern.test(value);
}

/** Runs a write that may hit the unique email index, answering `409` (with the field) when it does. */
export async function uniqueEmail<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ConflictError('Another contact has this email', { errors: { email: ['is already used by another contact'] } });
    }
    throw error;
  }
}
