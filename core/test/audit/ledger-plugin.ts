// A plugin that records its own changes with `coreServices.audit`: for the plugin audit trail's tests.
import { commonErrors, ConflictError, coreServices, defineMigration, definePermissions, definePlugin, NotFoundError, Reply, Type } from '@plinth/sdk';

declare module '@plinth/sdk' {
  interface PlinthJobs {
    'ledger.tidy': { id: string };
  }
}

export const ledgerPermissions = definePermissions('ledger', {
  'items.manage': { description: 'Keep the ledger', grantTo: ['admin', 'member'] },
});

interface Item {
  id: string;
  name: string;
  secret: string | null;
  amount: number | null;
  tags: string[];
  created_at: Date;
  updated_at: Date;
}

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const ItemFields = {
  name: Type.String({ minLength: 1 }),
  secret: Type.Optional(Type.String()),
  amount: Type.Optional(Type.Integer()),
  tags: Type.Optional(Type.Array(Type.String())),
};
const redact = ['secret'];
const view = (item: Item) => ({ id: item.id, name: item.name });

export const ledgerPlugin = definePlugin({
  name: 'ledger',
  version: '1.0.0',
  title: 'Ledger',
  description: 'Items whose every change is audited',
  category: 'testing',
  requires: { core: '>=0.1.0' },
  deps: { db: coreServices.db, audit: coreServices.audit, jobs: coreServices.jobs },
  permissions: ledgerPermissions,
  migrations: [
    defineMigration({
      name: '001-create-items',
      async up({ createTenantTable }) {
        await createTenantTable('ledger_items', (table) => {
          table.text('name').notNullable();
          table.text('secret');
          table.integer('amount');
          table.specificType('tags', 'text[]').notNullable().defaultTo('{}');
        });
      },
      async down({ db }) {
        await db.schema.dropTable('ledger_items');
      },
    }),
  ],
  routes: ({ route }) => [
    route({
      method: 'POST',
      path: '/items',
      summary: 'Adds an item',
      permission: ledgerPermissions['items.manage'],
      schema: { body: Type.Object(ItemFields, { additionalProperties: false }) },
      async handler({ body, deps }) {
        const after = (await deps.db.one<Item>('insert into ledger_items (name, secret, amount, tags) values ($1, $2, $3, $4) returning *', [
          body.name,
          body.secret ?? null,
          body.amount ?? null,
          body.tags ?? [],
        ]))!;
        await deps.audit.record({ entity: 'item', verb: 'created', target: after.id, after: { ...after }, redact });
        return Reply.created(view(after));
      },
    }),
    route({
      method: 'PATCH',
      path: '/items/:id',
      summary: 'Changes an item',
      permission: ledgerPermissions['items.manage'],
      schema: { params: IdParams, body: Type.Partial(Type.Object(ItemFields, { additionalProperties: false })) },
      errors: [commonErrors.not_found],
      async handler({ params, body, deps }) {
        const before = await deps.db.one<Item>('select * from ledger_items where id = $1 for update', [params.id]);
        if (!before) throw new NotFoundError('No such item');
        const after = (await deps.db.one<Item>(
          `update ledger_items set name = coalesce($2, name), secret = coalesce($3, secret), amount = coalesce($4, amount),
                  tags = coalesce($5, tags), updated_at = now() where id = $1 returning *`,
          [params.id, body.name ?? null, body.secret ?? null, body.amount ?? null, body.tags ?? null],
        ))!;
        await deps.audit.record({
          entity: 'item',
          verb: 'updated',
          target: params.id,
          before: { ...before },
          after: { ...after },
          redact,
          // `by` and `changes` are core's: a plugin's own are dropped.
          data: { note: 'by hand', by: 'someone else', changes: 'none' },
        });
        return view(after);
      },
    }),
    route({
      method: 'DELETE',
      path: '/items/:id',
      summary: 'Removes an item',
      permission: ledgerPermissions['items.manage'],
      schema: { params: IdParams },
      errors: [commonErrors.not_found],
      async handler({ params, deps }) {
        const before = await deps.db.one<Item>('delete from ledger_items where id = $1 returning *', [params.id]);
        if (!before) throw new NotFoundError('No such item');
        await deps.audit.record({ entity: 'item', verb: 'deleted', target: params.id, before: { ...before }, redact });
        return Reply.noContent();
      },
    }),
    route({
      method: 'POST',
      path: '/items/:id/archive',
      summary: 'Archives an item, records it, then refuses: the entry must go with the rolled-back transaction',
      permission: ledgerPermissions['items.manage'],
      schema: { params: IdParams },
      errors: [commonErrors.conflict],
      async handler({ params, deps }) {
        await deps.db.query('update ledger_items set name = name || $2 where id = $1', [params.id, ' (archived)']);
        await deps.audit.record({ entity: 'item', verb: 'archived', target: params.id });
        throw new ConflictError('changed my mind');
      },
    }),
    route({
      method: 'POST',
      path: '/items/:id/tidy',
      summary: 'Queues ledger.tidy for the item',
      permission: ledgerPermissions['items.manage'],
      schema: { params: IdParams },
      async handler({ params, deps }) {
        await deps.jobs.enqueue('ledger.tidy', { id: params.id });
        return { queued: true };
      },
    }),
  ],
  jobs: ({ job }) => [
    job({
      name: 'ledger.tidy',
      maxRetries: 0,
      async run({ payload, deps }) {
        await deps.audit.record({ entity: 'item', verb: 'tidied', target: payload.id, data: { reason: 'nightly' } });
      },
    }),
  ],
});
