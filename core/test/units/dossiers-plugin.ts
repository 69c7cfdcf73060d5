// A plugin whose records belong to organisation units, written as a plugin author would: no unit filter anywhere.
import { coreServices, defineMigration, definePermissions, definePlugin, NotFoundError, Reply, Type, UnitRef, withStatus } from '@plinth/sdk';

declare module '@plinth/sdk' {
  interface PlinthJobs {
    'dossiers.tally': Record<string, never>;
  }
}

export const dossierPermissions = definePermissions('dossiers', {
  'files.view': { description: 'Read dossiers', grantTo: ['admin', 'member', 'viewer'], units: true },
  'files.manage': { description: 'Write dossiers', grantTo: ['admin', 'member'], units: true },
});

const Dossier = Type.Object({ id: Type.String(), title: Type.String(), unit_id: Type.Union([Type.String(), Type.Null()]) });
const Body = Type.Object(
  { title: Type.String({ minLength: 1 }), unit_id: Type.Optional(Type.Union([UnitRef(), Type.Null()])) },
  { additionalProperties: false },
);
const Id = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const dossiersPlugin = definePlugin({
  name: 'dossiers',
  version: '1.0.0',
  title: 'Dossiers',
  description: 'Records kept per organisation unit',
  category: 'testing',
  requires: { core: '>=0.1.0' },
  deps: { db: coreServices.db, units: coreServices.units, jobs: coreServices.jobs },
  permissions: dossierPermissions,
  migrations: [
    defineMigration({
      name: '001-create-dossiers',
      async up({ createTenantTable }) {
        await createTenantTable('dossiers_files', (table) => table.text('title').notNullable(), { units: true });
      },
      async down({ db }) {
        await db.schema.dropTable('dossiers_files');
      },
    }),
    defineMigration({
      name: '002-create-tallies',
      async up({ createTenantTable }) {
        await createTenantTable('dossiers_tallies', (table) => table.integer('count').notNullable());
      },
      async down({ db }) {
        await db.schema.dropTable('dossiers_tallies');
      },
    }),
  ],
  jobs: ({ job }) => [
    job({
      name: 'dossiers.tally',
      async run({ deps }) {
        await deps.db.query('insert into dossiers_tallies (count) select count(*) from dossiers_files');
      },
    }),
  ],
  routes: ({ route }) => [
    route({
      method: 'GET',
      path: '/files',
      summary: 'Every dossier (the query has no unit filter: Row Level Security applies the caller’s reach)',
      permission: dossierPermissions['files.view'],
      schema: { query: Type.Object({ unit: Type.Optional(Type.String({ format: 'uuid' })) }), response: Type.Array(Dossier) },
      async handler({ deps, query }) {
        const under = query.unit ? await deps.units.subtree(query.unit) : null;
        return deps.db.query('select id, title, unit_id from dossiers_files where ($1::uuid[] is null or unit_id = any($1)) order by title', [under]);
      },
    }),
    route({
      method: 'GET',
      path: '/count',
      summary: 'How many dossiers',
      permission: dossierPermissions['files.view'],
      schema: { response: Type.Object({ count: Type.Integer(), whole: Type.Boolean(), reach: Type.Integer() }) },
      async handler({ deps, ctx }) {
        const row = await deps.db.one<{ count: number }>('select count(*)::int as count from dossiers_files');
        return { count: row!.count, whole: ctx.units.whole, reach: ctx.units.ids.length };
      },
    }),
    route({
      method: 'GET',
      path: '/files/:id',
      summary: 'One dossier',
      permission: dossierPermissions['files.view'],
      schema: { params: Id, response: Dossier },
      async handler({ deps, params }) {
        const row = await deps.db.one<{ id: string; title: string; unit_id: string | null }>('select id, title, unit_id from dossiers_files where id = $1', [
          params.id,
        ]);
        if (!row) throw new NotFoundError('Dossier not found');
        return row;
      },
    }),
    route({
      method: 'POST',
      path: '/files',
      summary: 'Add a dossier',
      permission: dossierPermissions['files.manage'],
      schema: { body: Body, response: withStatus(Dossier, 201) },
      async handler({ deps, body }) {
        const row = await deps.db.one('insert into dossiers_files (title, unit_id) values ($1, $2) returning id, title, unit_id', [
          body.title,
          body.unit_id ?? null,
        ]);
        return Reply.created(row as { id: string; title: string; unit_id: string | null });
      },
    }),
    route({
      method: 'PATCH',
      path: '/files/:id',
      summary: 'Move a dossier to another unit',
      permission: dossierPermissions['files.manage'],
      schema: { params: Id, body: Type.Object({ unit_id: Type.Union([UnitRef(), Type.Null()]) }, { additionalProperties: false }), response: Dossier },
      async handler({ deps, params, body }) {
        const row = await deps.db.one('update dossiers_files set unit_id = $2 where id = $1 returning id, title, unit_id', [params.id, body.unit_id]);
        if (!row) throw new NotFoundError('Dossier not found');
        return row as { id: string; title: string; unit_id: string | null };
      },
    }),
    route({
      method: 'POST',
      path: '/tally',
      summary: 'Counts the dossiers in a job (which keeps the units of the request that queued it)',
      permission: dossierPermissions['files.view'],
      schema: { response: Type.Object({ queued: Type.Boolean() }) },
      async handler({ deps }) {
        await deps.jobs.enqueue('dossiers.tally', {});
        return { queued: true };
      },
    }),
    route({
      method: 'GET',
      path: '/tallies',
      summary: 'The counts the jobs made',
      permission: dossierPermissions['files.view'],
      schema: { response: Type.Array(Type.Integer()) },
      async handler({ deps }) {
        return (await deps.db.query<{ count: number }>('select count from dossiers_tallies order by created_at')).map((row) => row.count);
      },
    }),
    route({
      method: 'GET',
      path: '/can',
      summary: 'What ctx.can says',
      permission: dossierPermissions['files.view'],
      schema: {
        query: Type.Object({ unit: Type.String({ format: 'uuid' }) }),
        response: Type.Object({ anywhere: Type.Boolean(), here: Type.Boolean(), tenant: Type.Boolean() }),
      },
      async handler({ ctx, query }) {
        const manage = dossierPermissions['files.manage'];
        return { anywhere: ctx.can(manage), here: ctx.can(manage, { unit: query.unit }), tenant: ctx.can(manage, { unit: null }) };
      },
    }),
  ],
});
