import { defineMigration } from '@plinth/sdk';

/**
 * The contact search index: one row per word of each contact (from its `search` tsvector) and per tag (as
 * `\x01<tag>`, which no word contains), kept in step by statement-level triggers. Search compares words with btree range conditions (`word >= 'ada' and word <
 * 'ada\u{10FFFF}'`): unlike `@@` or `pg_trgm`, those operators are leakproof, so PostgreSQL may use them as
 * index conditions under Row Level Security instead of filtering every row of the tenant.
 */
export const createContactWords = defineMigration({
  name: '004-create-contact-words',
  async up({ createTenantTable, db }) {
    await createTenantTable('crm_contact_words', (table) => {
      table.uuid('contact_id').notNullable().references('id').inTable('crm_contacts').onDelete('CASCADE');
      table.specificType('word', 'text collate "C"').notNullable();
    });
    await db.raw('create index crm_contact_words_lookup on crm_contact_words (tenant_id, word, contact_id)');
    await db.raw('create index crm_contact_words_contact on crm_contact_words (contact_id)');
    await db.raw(`create function crm_contact_words_of(search tsvector, tags text[]) returns text[] language sql immutable as $$
      select tsvector_to_array(search) || array(select distinct chr(1) || t from unnest(tags) t)
    $$`);
    await db.raw(`create function crm_contact_words_insert() returns trigger language plpgsql as $$
      begin
        insert into crm_contact_words (tenant_id, contact_id, word)
          select n.tenant_id, n.id, w from new_rows n, unnest(crm_contact_words_of(n.search, n.tags)) w;
        return null;
      end $$`);
    await db.raw(`create function crm_contact_words_update() returns trigger language plpgsql as $$
      begin
        delete from crm_contact_words cw using new_rows n join old_rows o on o.id = n.id
          where cw.contact_id = n.id and (n.search, n.tags) is distinct from (o.search, o.tags);
        insert into crm_contact_words (tenant_id, contact_id, word)
          select n.tenant_id, n.id, w from new_rows n join old_rows o on o.id = n.id, unnest(crm_contact_words_of(n.search, n.tags)) w
           where (n.search, n.tags) is distinct from (o.search, o.tags);
        return null;
      end $$`);
    await db.raw(`create trigger crm_contact_words_insert after insert on crm_contacts
      referencing new table as new_rows for each statement execute function crm_contact_words_insert()`);
    await db.raw(`create trigger crm_contact_words_update after update on crm_contacts
      referencing old table as old_rows new table as new_rows for each statement execute function crm_contact_words_update()`);
  },
  async down({ db }) {
    await db.raw('drop trigger crm_contact_words_update on crm_contacts');
    await db.raw('drop trigger crm_contact_words_insert on crm_contacts');
    await db.raw('drop function crm_contact_words_update()');
    await db.raw('drop function crm_contact_words_insert()');
    await db.raw('drop function crm_contact_words_of(tsvector, text[])');
    await db.schema.dropTable('crm_contact_words');
  },
});
