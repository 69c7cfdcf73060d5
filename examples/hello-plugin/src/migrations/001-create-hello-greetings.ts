import { defineMigration } from '@plinth/sdk';

/** The wall: a tenant table (forced Row Level Security, `tenant_id` filled in from the request's tenant). */
export const createGreetings = defineMigration({
  name: '001-create-hello-greetings',
  async up({ createTenantTable }) {
    await createTenantTable('hello_greetings', (table) => {
      table.text('message').notNullable();
      table.uuid('author_id');
    });
  },
  async down({ db }) {
    await db.schema.dropTable('hello_greetings');
  },
});
