import { defineMigration } from '@plinth/sdk';

/** The tables whose records belong to an organisation unit (a team): Row Level Security limits each request to its units. */
const unitTables = ['crm_contacts', 'crm_segments', 'crm_campaigns', 'crm_imports'];

/** The search index entries' keys, in `include` of the live and trash indexes (as 007 has them, and now the unit). */
const keyColumns = 'contact_created_at, contact_score, contact_tags';
const searchIndexes = (include: string) => [
  `create index crm_contact_words_live on crm_contact_words (tenant_id, word, contact_id) include (${include}) where live`,
  `create index crm_contact_words_trash on crm_contact_words (tenant_id, word, contact_id) include (${include}) where not live`,
];

/** The search triggers of 007, with each word carrying its contact's unit (`unit`) or not. */
const insertFunction = (unit: boolean) => `create or replace function crm_contact_words_insert() returns trigger language plpgsql as $$
  begin
    insert into crm_contact_words (tenant_id, contact_id, word, live, ${keyColumns}${unit ? ', unit_id' : ''})
      select n.tenant_id, n.id, w, n.deleted_at is null, n.created_at, n.score, n.tags${unit ? ', n.unit_id' : ''}
        from new_rows n, unnest(crm_contact_words_of(n.search, n.tags)) w;
    return null;
  end $$`;
const updateFunction = (unit: boolean) => `create or replace function crm_contact_words_update() returns trigger language plpgsql as $$
  begin
    delete from crm_contact_words cw using new_rows n join old_rows o on o.id = n.id
      where cw.contact_id = n.id and (n.search, n.tags) is distinct from (o.search, o.tags);
    insert into crm_contact_words (tenant_id, contact_id, word, live, ${keyColumns}${unit ? ', unit_id' : ''})
      select n.tenant_id, n.id, w, n.deleted_at is null, n.created_at, n.score, n.tags${unit ? ', n.unit_id' : ''}
        from new_rows n join old_rows o on o.id = n.id, unnest(crm_contact_words_of(n.search, n.tags)) w
       where (n.search, n.tags) is distinct from (o.search, o.tags);
    update crm_contact_words cw set live = n.deleted_at is null, contact_created_at = n.created_at, contact_score = n.score${unit ? ', unit_id = n.unit_id' : ''}
      from new_rows n join old_rows o on o.id = n.id
      where cw.contact_id = n.id and (n.search, n.tags) is not distinct from (o.search, o.tags)
        and ((n.deleted_at is null) <> (o.deleted_at is null) or (n.created_at, n.score${unit ? ', n.unit_id' : ''}) is distinct from (o.created_at, o.score${unit ? ', o.unit_id' : ''}));
    return null;
  end $$`;

/**
 * Teams: contacts, segments, campaigns and imports belong to an organisation unit (`unit_id`, null: the whole
 * tenant's). The search index's entries carry their contact's unit too (kept by the triggers, included in its
 * indexes) and are scoped the same way: a search counted from the index alone counts only the caller's units.
 * The live contacts' id index includes the unit, so a count checks it without visiting each contact.
 */
export const units = defineMigration({
  name: '010-units',
  async up({ addUnitScope, db }) {
    for (const table of [...unitTables, 'crm_contact_words']) await addUnitScope(table);
    await db.raw(insertFunction(true));
    await db.raw(updateFunction(true));
    await db.raw('drop index crm_contact_words_live');
    await db.raw('drop index crm_contact_words_trash');
    for (const statement of searchIndexes(`${keyColumns}, unit_id`)) await db.raw(statement);
    await db.raw('drop index crm_contacts_live');
    await db.raw('create index crm_contacts_live on crm_contacts (tenant_id, id) include (unit_id) where deleted_at is null');
  },
  async down({ db }) {
    await db.raw('drop index crm_contacts_live');
    await db.raw('create index crm_contacts_live on crm_contacts (tenant_id, id) where deleted_at is null');
    await db.raw(insertFunction(false));
    await db.raw(updateFunction(false));
    await db.raw('drop index crm_contact_words_live');
    await db.raw('drop index crm_contact_words_trash');
    // Dropping `unit_id` drops its foreign key and its index; the policy goes first.
    for (const table of ['crm_contact_words', ...unitTables]) {
      await db.raw(`drop policy unit_scope on ${table}`);
      await db.raw(`alter table ${table} drop column unit_id`);
    }
    for (const statement of searchIndexes(keyColumns)) await db.raw(statement);
  },
});
