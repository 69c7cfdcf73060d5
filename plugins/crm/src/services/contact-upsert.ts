import { ValidationError, type PluginEvents, type TenantDb } from '@plinth/sdk';
import type { ContactUpsert, CrmContactsApi } from '../contract.js';
import { isEmail } from './contact-model.js';

/**
 * The contacts service of the contract (bio-sites' email capture, the shop and LMS handlers): creates the
 * contact or fills the blanks of the live one with the same email, adds tags, records the interaction.
 */
export function contactsApi(db: TenantDb, events: PluginEvents): CrmContactsApi {
  return { upsert: (input) => upsertContact(db, events, input) };
}

async function upsertContact(db: TenantDb, events: PluginEvents, input: ContactUpsert): Promise<{ contactId: string; created: boolean }> {
  const email = input.email.trim();
  if (!isEmail(email)) throw new ValidationError({ email: ['must be a valid email'] });
  const tags = input.tags ?? [];
  let created = false;
  let contact = await db.one<{ id: string }>(
    `update crm_contacts set name = coalesce(name, $2), phone = coalesce(phone, $3),
            tags = array(select distinct t from unnest(tags || $4::text[]) t order by t), updated_at = now()
      where email_key = lower($1) and deleted_at is null
      returning id`,
    [email, input.name ?? null, input.phone ?? null, tags],
  );
  if (!contact) {
    contact = await db.one<{ id: string }>(
      `insert into crm_contacts (name, email, phone, tags, source) values ($1, $2, $3, $4, $5)
       on conflict (tenant_id, email_key) where deleted_at is null do nothing returning id`,
      [input.name ?? null, email, input.phone ?? null, tags, input.source],
    );
    if (!contact) return upsertContact(db, events, input); // a concurrent insert won: update that one instead
    created = true;
    await events.emit('crm.contact.created', { contactId: contact.id, email, name: input.name ?? null, source: input.source });
  } else {
    await events.emit('crm.contact.updated', { contactId: contact.id, email, changed: ['upsert'] });
  }
  if (input.interaction) {
    const { type, subject, content, channel, occurredAt } = input.interaction;
    await db.query(
      'insert into crm_interactions (contact_id, type, subject, content, channel, occurred_at) values ($1, $2, $3, $4, $5, coalesce($6::timestamptz, now()))',
      [contact.id, type, subject, content ?? null, channel ?? input.source, occurredAt ?? null],
    );
  }
  return { contactId: contact.id, created };
}
