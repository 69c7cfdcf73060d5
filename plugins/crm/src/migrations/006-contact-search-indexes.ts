import { defineMigration } from '@plinth/sdk';

/** The search index's insert trigger function, with (`live`) or without the `live` column; 007 restores it on the way down. */
export const insertFunction = (live: boolean) => `create or replace function crm_contact_words_insert() returns trigger language plpgsql as $$
  begin
    insert into crm_contact_words (tenant_id, contact_id, word${live ? ', live' : ''})
      select n.tenant_id, n.id, w${live ? ', n.deleted_at is null' : ''} from new_rows n, unnest(crm_contact_words_of(n.search, n.tags)) w;
    return null;
  end $$`;

/** The search index's update trigger function, with (`live`) or without the `live` column; 007 restores it on the way down. */
export const updateFunction = (live: boolean) => `create or replace function crm_contact_words_update() returns trigger language plpgsql as $$
  begin
    delete from crm_contact_words cw using new_rows n join old_rows o on o.id = n.id
      where cw.contact_id = n.id and (n.search, n.tags) is distinct from (o.search, o.tags);
    insert into crm_contact_words (tenant_id, contact_id, word${live ? ', live' : ''})
      select n.tenant_id, n.id, w${live ? ', n.deleted_at is null' : ''} from new_rows n join old_rows o on o.id = n.id, unnest(crm_contact_words_of(n.search, n.tags)) w
       where (n.search, n.tags) is distinct from (o.search, o.tags);${
         live
           ? `
    update crm_contact_words cw set live = n.deleted_at is null from new_rows n join old_rows o on o.id = n.id
      where cw.contact_id = n.id and (n.search, n.tags) is not distinct from (o.search, o.tags)
        and (n.deleted_at is null) <> (o.deleted_at is null);`
           : ''
       }
    return null;
  end $$`;

/**
 * Search indexes: whether a word's contact is live (not in the trash), kept in step by the search triggers, so a
 * search's total counts the matching live contacts from the index alone (`crm_contact_words_live`), without
 * visiting each of them (the trash has its own index, `crm_contact_words_trash`); and the score index ends with the
 * id, as the score sorts do, so a page sorted by score stops after its rows instead of sorting whole score groups.
 */
export const contactSearchIndexes = defineMigration({
  name: '006-contact-search-indexes',
  async up({ db }) {
    await db.raw('alter table crm_contact_words add column live boolean not null default true');
    // Every tenant's rows: the backfill runs on the system role, which Row Level Security lets see them all.
    await db.raw('set local role plinth_system');
    await db.raw(`update crm_contact_words w set live = false from crm_contacts c where c.id = w.contact_id and c.deleted_at is not null`);
    await db.raw('reset role');
    // The lookup index split in two, so each search reads only the words of its side and writes cost the same.
    await db.raw('create index crm_contact_words_live on crm_contact_words (tenant_id, word, contact_id) where live');
    await db.raw('create index crm_contact_words_trash on crm_contact_words (tenant_id, word, contact_id) where not live');
    await db.raw('drop index crm_contact_words_lookup');
    await db.raw(insertFunction(true));
    await db.raw(updateFunction(true));
    await db.raw('drop index crm_contacts_score');
    await db.raw('create index crm_contacts_score on crm_contacts (tenant_id, score, id)');
  },
  async down({ db }) {
    await db.raw('drop index crm_contacts_score');
    await db.raw('create index crm_contacts_score on crm_contacts (tenant_id, score)');
    await db.raw(insertFunction(false));
    await db.raw(updateFunction(false));
    await db.raw('create index crm_contact_words_lookup on crm_contact_words (tenant_id, word, contact_id)');
    await db.raw('drop index crm_contact_words_trash');
    await db.raw('drop index crm_contact_words_live');
    await db.raw('alter table crm_contact_words drop column live');
  },
});
