import { defineMigration } from '@plinth/sdk';

/**
 * A contact's words go with it by a statement-level trigger instead of a foreign key. The words are the contact's
 * search index, written by the contacts' own triggers, so the key guarded nothing those do not; and since keys
 * include `tenant_id` (011), its check per word row — nine per contact — could be planned on a fresh database, whose
 * tables have no statistics yet, as a scan of the tenant's contacts by another index led by `tenant_id`: a first
 * import of 100,000 contacts then took minutes instead of seconds. The trigger deletes the words of every deleted
 * contact in one statement.
 */
export const contactWordsCascade = defineMigration({
  name: '012-contact-words-cascade',
  async up({ db }) {
    await db.raw('alter table crm_contact_words drop constraint crm_contact_words_contact_id_foreign');
    await db.raw(`create function crm_contact_words_delete() returns trigger language plpgsql as $$
      begin
        delete from crm_contact_words cw using old_rows o where cw.contact_id = o.id and cw.tenant_id = o.tenant_id;
        return null;
      end $$`);
    await db.raw(`create trigger crm_contact_words_delete after delete on crm_contacts
      referencing old table as old_rows for each statement execute function crm_contact_words_delete()`);
  },
  async down({ db }) {
    await db.raw('drop trigger crm_contact_words_delete on crm_contacts');
    await db.raw('drop function crm_contact_words_delete()');
    await db.raw(`alter table crm_contact_words add constraint crm_contact_words_contact_id_foreign
      foreign key (tenant_id, contact_id) references crm_contacts (tenant_id, id) on delete cascade`);
  },
});
