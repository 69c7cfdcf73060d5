import { NotFoundError, ValidationError } from '@plinth/sdk';
import { auditedContactColumns, lockContact, recordContact, type AuditedContact } from './contact-audit.js';
import type { Contact } from './contact-model.js';
import { findContact, type ContactScope } from './contact-service.js';

interface MergedFields {
  name: string | null;
  phone: string | null;
  company: string | null;
  source: string | null;
  owner_id: string | null;
  score: number;
  tags: string[];
  custom_fields: Record<string, unknown>;
}

/**
 * Merges duplicates into `primaryId`: their interactions move to it, blank fields are filled from them (the
 * primary's values win), tags are united, custom fields combined, the highest score kept; the duplicates go
 * to the trash marked `merged_into` the primary.
 */
export async function mergeContacts(scope: ContactScope, primaryId: string, duplicateIds: string[], actorId: string | null): Promise<Contact> {
  if (duplicateIds.includes(primaryId)) throw new ValidationError({ duplicate_ids: ['must not include the contact merged into'] });
  const { db } = scope;
  const locked = await db.query<{ id: string }>('select id from crm_contacts where id = any($1::uuid[]) and deleted_at is null order by id for update', [
    [primaryId, ...duplicateIds],
  ]);
  const found = new Set(locked.map((row) => row.id));
  if (!found.has(primaryId)) throw new NotFoundError('Contact not found');
  const missing = duplicateIds.filter((id) => !found.has(id));
  if (missing.length) throw new NotFoundError('Duplicate contact not found', { errors: { duplicate_ids: missing.map((id) => `${id} not found`) } });

  const before = await lockContact(db, primaryId);
  // The first duplicate (in the order given) with a value fills a blank of the primary.
  const dups = await db.query<MergedFields & AuditedContact & { id: string }>(
    `select id, ${auditedContactColumns} from crm_contacts
      where id = any($1::uuid[]) order by array_position($1::uuid[], id)`,
    [duplicateIds],
  );
  const first = (key: 'name' | 'phone' | 'company' | 'source' | 'owner_id') => dups.find((dup) => dup[key] !== null)?.[key] ?? null;
  const custom = Object.assign({}, ...dups.toReversed().map((dup) => dup.custom_fields)) as Record<string, unknown>;
  await db.query(
    `update crm_contacts set name = coalesce(name, $2), phone = coalesce(phone, $3), company = coalesce(company, $4),
            source = coalesce(source, $5), owner_id = coalesce(owner_id, $6), score = greatest(score, $7),
            custom_fields = $8::jsonb || custom_fields, tags = array(select distinct t from unnest(tags || $9::text[]) t order by t),
            updated_at = now()
      where id = $1`,
    [
      primaryId,
      first('name'),
      first('phone'),
      first('company'),
      first('source'),
      first('owner_id'),
      Math.max(...dups.map((dup) => dup.score)),
      JSON.stringify(custom),
      dups.flatMap((dup) => dup.tags),
    ],
  );
  await db.query('update crm_interactions set contact_id = $1 where contact_id = any($2::uuid[])', [primaryId, duplicateIds]);
  const merged = await db.query<AuditedContact & { id: string; email: string }>(
    `update crm_contacts set deleted_at = now(), merged_into = $1 where id = any($2::uuid[]) returning id, ${auditedContactColumns}`,
    [primaryId, duplicateIds],
  );
  const after = await lockContact(db, primaryId);
  await recordContact(scope.audit, 'merged', primaryId, { before, after, data: { duplicate_ids: duplicateIds } });
  for (const { id, ...row } of merged) {
    const { id: _id, ...was } = dups.find((dup) => dup.id === id)!;
    await recordContact(scope.audit, 'deleted', id, { before: was, after: row, data: { merged_into: primaryId } });
  }
  await db.query(`insert into crm_interactions (contact_id, type, subject, content, channel, actor_id) values ($1, 'note', $2, $3, 'crm', $4)`, [
    primaryId,
    `Merged ${merged.length} duplicate contact(s)`,
    merged.map((row) => row.email).join(', '),
    actorId,
  ]);
  for (const row of merged) await scope.events.emit('crm.contact.deleted', { contactId: row.id, email: row.email });
  const contact = await findContact(db, primaryId);
  await scope.events.emit('crm.contact.updated', { contactId: primaryId, email: contact.email, changed: ['merged'] });
  return contact;
}
