import {
  NotFoundError,
  Ref,
  Type,
  UnitRef,
  ValidationError,
  Widget,
  type FieldErrors,
  type PluginAudit,
  type PluginEvents,
  type PluginLimits,
  type PluginMembers,
  type Static,
  type TenantDb,
} from '@plinth/sdk';
import type { CrmSettings } from '../settings.js';
import { auditedContactColumns, lockContact, recordContact, type AuditedContact } from './contact-audit.js';
import { contactColumns, toContact, uniqueEmail, type Contact, type ContactRow } from './contact-model.js';
import { contactsLimit } from './contact-limit.js';
import { checkCustomFields } from './custom-fields.js';

const Text = (maxLength: number, title: string) => Type.Union([Type.String({ maxLength }), Type.Null()], { title });

/** The body of a new contact. */
export const NewContact = Type.Object(
  {
    name: Type.Optional(Text(200, 'Name')),
    email: Type.String({ format: 'email', maxLength: 254, title: 'Email' }),
    phone: Type.Optional(Type.Union([Widget(Type.String({ maxLength: 40 }), 'phone'), Type.Null()], { title: 'Phone' })),
    company: Type.Optional(Text(200, 'Company')),
    tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 60 }), { maxItems: 50, uniqueItems: true, title: 'Tags' })),
    custom_fields: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), { title: 'Custom fields', description: 'The fields defined in the CRM settings, by key' }),
    ),
    source: Type.Optional(
      Type.Union([Type.String({ minLength: 1, maxLength: 40 }), Type.Null()], {
        title: 'Source',
        description: 'Where the contact came from; the default source of the settings when left out',
      }),
    ),
    score: Type.Optional(Type.Integer({ minimum: -1_000_000, maximum: 1_000_000, title: 'Score' })),
    owner_id: Type.Optional(
      Type.Union([Ref('/members', { value: 'user_id', label: 'name', detail: 'email', title: 'Owner' }), Type.Null()], {
        title: 'Owner',
        description: 'The member looking after the contact',
      }),
    ),
    unit_id: Type.Optional(Type.Union([UnitRef(), Type.Null()], { title: 'Unit', description: 'The team the contact belongs to; none: the whole workspace' })),
  },
  { additionalProperties: false },
);
export type NewContact = Static<typeof NewContact>;

/** The body of a contact update: any of a new contact's fields; `custom_fields` are merged (`null` clears one). */
export const ContactPatch = Type.Partial(NewContact, { additionalProperties: false, minProperties: 1 });
export type ContactPatch = Static<typeof ContactPatch>;

/** What the contact routes and services work with. */
export interface ContactScope {
  db: TenantDb;
  events: PluginEvents;
  members: PluginMembers;
  audit: PluginAudit;
  /** The plan's contact limit: checked before a contact is created or restored. */
  limits: PluginLimits;
  settings: CrmSettings;
}

/** A live or deleted contact, or 404. */
export async function findContact(db: TenantDb, id: string, options: { deleted?: boolean } = {}): Promise<Contact> {
  const row = await db.one<ContactRow>(`select ${contactColumns} from crm_contacts c where c.id = $1 and (c.deleted_at is null) = $2`, [id, !options.deleted]);
  if (!row) throw new NotFoundError('Contact not found');
  return toContact(row);
}

async function checkInput(scope: ContactScope, input: ContactPatch, complete: boolean): Promise<Record<string, unknown> | undefined> {
  const errors: FieldErrors = {};
  let custom: Record<string, unknown> | undefined;
  if (input.custom_fields || complete) {
    const checked = checkCustomFields(input.custom_fields ?? {}, scope.settings.customFields, complete);
    Object.assign(errors, checked.errors);
    custom = checked.values;
  }
  if (input.owner_id && !(await scope.members.get(input.owner_id))) errors.owner_id = ['must be a member of the tenant'];
  if (Object.keys(errors).length) throw new ValidationError(errors);
  return custom;
}

/** Creates a contact (409 when its email is taken, or `limit_reached` when the plan's contacts are all used). */
export async function createContact(scope: ContactScope, input: NewContact): Promise<Contact> {
  const custom = await checkInput(scope, input, true);
  await scope.limits.ensure(contactsLimit, 1);
  const [row] = await uniqueEmail(
    scope.db.query<AuditedContact & { id: string }>(
      `insert into crm_contacts (name, email, phone, company, tags, custom_fields, source, score, owner_id, unit_id)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id, ${auditedContactColumns}`,
      [
        input.name ?? null,
        input.email,
        input.phone ?? null,
        input.company ?? null,
        input.tags ?? [],
        JSON.stringify(custom ?? {}),
        input.source === undefined ? scope.settings.defaultSource : input.source,
        input.score ?? 0,
        input.owner_id ?? null,
        input.unit_id ?? null,
      ],
    ),
  );
  const { id, ...after } = row!;
  await recordContact(scope.audit, 'created', id, { after });
  const contact = await findContact(scope.db, id);
  await scope.events.emit('crm.contact.created', { contactId: contact.id, email: contact.email, name: contact.name, source: contact.source });
  return contact;
}

const plainColumns = ['name', 'email', 'phone', 'company', 'tags', 'source', 'score', 'owner_id', 'unit_id'] as const;

/** Updates a live contact's given fields. */
export async function updateContact(scope: ContactScope, id: string, patch: ContactPatch): Promise<Contact> {
  const custom = await checkInput(scope, patch, false);
  const before = await lockContact(scope.db, id);
  if (!before) throw new NotFoundError('Contact not found');
  const values: unknown[] = [id];
  const sets: string[] = [];
  const changed: string[] = [];
  for (const column of plainColumns) {
    if (patch[column] === undefined) continue;
    values.push(patch[column]);
    sets.push(`${column} = $${values.length}`);
    changed.push(column);
  }
  if (custom) {
    const cleared = Object.keys(custom).filter((key) => custom[key] === null);
    const kept = Object.fromEntries(Object.entries(custom).filter(([, value]) => value !== null));
    values.push(JSON.stringify(kept), cleared);
    sets.push(`custom_fields = (custom_fields - $${values.length}::text[]) || $${values.length - 1}::jsonb`);
    changed.push('custom_fields');
  }
  const [after] = await uniqueEmail(
    scope.db.query<AuditedContact>(`update crm_contacts set ${sets.join(', ')}, updated_at = now() where id = $1 returning ${auditedContactColumns}`, values),
  );
  await recordContact(scope.audit, 'updated', id, { before, after });
  const contact = await findContact(scope.db, id);
  await scope.events.emit('crm.contact.updated', { contactId: id, email: contact.email, changed });
  return contact;
}

/** Moves a live contact to the trash (restorable). */
export async function deleteContact(scope: ContactScope, id: string): Promise<void> {
  const before = await lockContact(scope.db, id);
  if (!before) throw new NotFoundError('Contact not found');
  const after = await scope.db.one<AuditedContact>(`update crm_contacts set deleted_at = now() where id = $1 returning ${auditedContactColumns}`, [id]);
  await recordContact(scope.audit, 'deleted', id, { before, after });
  await scope.events.emit('crm.contact.deleted', { contactId: id, email: before.email as string });
}

/**
 * Brings a contact back from the trash (409 when a live contact has taken its email meanwhile, or `limit_reached`:
 * a restored contact counts against the plan again).
 */
export async function restoreContact(scope: ContactScope, id: string): Promise<Contact> {
  const before = await lockContact(scope.db, id, { deleted: true });
  if (!before) throw new NotFoundError('Deleted contact not found');
  await scope.limits.ensure(contactsLimit, 1);
  const after = await uniqueEmail(
    scope.db.one<AuditedContact>(
      `update crm_contacts set deleted_at = null, merged_into = null, updated_at = now() where id = $1 returning ${auditedContactColumns}`,
      [id],
    ),
  );
  await recordContact(scope.audit, 'restored', id, { before, after });
  await scope.events.emit('crm.contact.updated', { contactId: id, email: before.email as string, changed: ['deleted_at'] });
  return findContact(scope.db, id);
}
