import { defineMigration } from '@plinth/sdk';
import { insertFunction, updateFunction } from './006-contact-search-indexes.js';

/** The contact's columns each of its words carries, in the order of `keyColumns`. */
const contactKeys = 'n.created_at, n.score, n.tags';
const keyColumns = 'contact_created_at, contact_score, contact_tags';

const insertWithKeys = `create or replace function crm_contact_words_insert() returns trigger language plpgsql as $$
  begin
    insert into crm_contact_words (tenant_id, contact_id, word, live, ${keyColumns})
      select n.tenant_id, n.id, w, n.deleted_at is null, ${contactKeys} from new_rows n, unnest(crm_contact_words_of(n.search, n.tags)) w;
    return null;
  end $$`;

// Words change with the search text or the tags (rewritten, carrying the new keys); otherwise only what a word carries
// is brought up to date, and only when it changed: most updates (a phone, a custom field) touch no word.
const updateWithKeys = `create or replace function crm_contact_words_update() returns trigger language plpgsql as $$
  begin
    delete from crm_contact_words cw using new_rows n join old_rows o on o.id = n.id
      where cw.contact_id = n.id and (n.search, n.tags) is distinct from (o.search, o.tags);
    insert into crm_contact_words (tenant_id, contact_id, word, live, ${keyColumns})
      select n.tenant_id, n.id, w, n.deleted_at is null, ${contactKeys} from new_rows n join old_rows o on o.id = n.id,
             unnest(crm_contact_words_of(n.search, n.tags)) w
       where (n.search, n.tags) is distinct from (o.search, o.tags);
    update crm_contact_words cw set live = n.deleted_at is null, contact_created_at = n.created_at, contact_score = n.score
      from new_rows n join old_rows o on o.id = n.id
      where cw.contact_id = n.id and (n.search, n.tags) is not distinct from (o.search, o.tags)
        and ((n.deleted_at is null) <> (o.deleted_at is null) or (n.created_at, n.score) is distinct from (o.created_at, o.score));
    return null;
  end $$`;

/** The search indexes of live contacts and of the trash, carrying the keys a search filters and sorts on. */
const searchIndexes = (include: string) => [
  `create index crm_contact_words_live on crm_contact_words (tenant_id, word, contact_id)${include} where live`,
  `create index crm_contact_words_trash on crm_contact_words (tenant_id, word, contact_id)${include} where not live`,
];

/**
 * Search keys: each word of the search index carries its contact's creation time, score and tags, included in the
 * live and trash indexes. A search (words, tags, score and creation bounds, sorted by creation or score) then
 * finds its matches, their total and its page from the index alone, and reads only the page's contacts: no
 * contact is visited to be counted, filtered or sorted, and no sort index is walked past thousands of rows that
 * do not match. The triggers keep the keys in step; existing words get theirs from their contacts (live or trashed).
 */
export const contactSearchKeys = defineMigration({
  name: '007-contact-search-keys',
  async up({ db }) {
    await db.raw('alter table crm_contact_words add column contact_created_at timestamptz, add column contact_score integer, add column contact_tags text[]');
    // Every tenant's words, on the system role, which Row Level Security lets see them all.
    await db.raw('set local role plinth_system');
    await db.raw(`update crm_contact_words w set contact_created_at = c.created_at, contact_score = c.score, contact_tags = c.tags
      from crm_contacts c where c.id = w.contact_id`);
    await db.raw('reset role');
    await db.raw(
      'alter table crm_contact_words alter column contact_created_at set not null, alter column contact_score set not null, alter column contact_tags set not null',
    );
    await db.raw(insertWithKeys);
    await db.raw(updateWithKeys);
    await db.raw('drop index crm_contact_words_live');
    await db.raw('drop index crm_contact_words_trash');
    for (const statement of searchIndexes(` include (${keyColumns})`)) await db.raw(statement);
  },
  async down({ db }) {
    await db.raw('drop index crm_contact_words_live');
    await db.raw('drop index crm_contact_words_trash');
    for (const statement of searchIndexes('')) await db.raw(statement);
    await db.raw(insertFunction(true));
    await db.raw(updateFunction(true));
    await db.raw(`alter table crm_contact_words drop column contact_created_at, drop column contact_score, drop column contact_tags`);
  },
});
