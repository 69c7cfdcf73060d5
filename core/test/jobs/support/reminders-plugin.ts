// Queues keyed jobs (one reminder per key) so tests can replace, cancel and roll back; the job writes down what it sent.
import { commonErrors, ConflictError, coreServices, defineMigration, definePermissions, definePlugin, Type } from '@plinth/sdk';

declare module '@plinth/sdk' {
  interface PlinthJobs {
    'reminders.send': { key: string; label: string; failTimes?: number };
  }
}

const remindersPermissions = definePermissions('reminders', {
  'reminders.manage': { description: 'Queue and cancel reminders', grantTo: ['admin'] },
});

const Sent = Type.Array(Type.Object({ key: Type.String(), label: Type.String(), attempt: Type.Integer() }));
const Done = Type.Object({ done: Type.Boolean() });
const ThenFail = Type.Optional(Type.Boolean({ description: 'Refuse after queueing: the transaction rolls back' }));

export const remindersPlugin = definePlugin({
  name: 'reminders',
  version: '1.0.0',
  title: 'Reminders',
  description: 'Keyed jobs for tests',
  category: 'testing',
  requires: { core: '>=0.1.0' },
  deps: { db: coreServices.db, jobs: coreServices.jobs },
  permissions: remindersPermissions,
  migrations: [
    defineMigration({
      name: '001-create-sent',
      async up({ createTenantTable }) {
        await createTenantTable('reminders_sent', (table) => {
          table.text('key').notNullable();
          table.text('label').notNullable();
          table.integer('attempt').notNullable();
        });
      },
      async down({ db }) {
        await db.schema.dropTable('reminders_sent');
      },
    }),
  ],
  routes: ({ route }) => [
    route({
      method: 'GET',
      path: '/sent',
      summary: 'Reminders sent, oldest first',
      permission: remindersPermissions['reminders.manage'],
      schema: { response: Sent },
      async handler({ deps }) {
        return deps.db.query<{ key: string; label: string; attempt: number }>('select key, label, attempt from reminders_sent order by created_at, label');
      },
    }),
    route({
      method: 'PUT',
      path: '/reminders/:key',
      summary: 'Queues (or replaces) the reminder of a key',
      permission: remindersPermissions['reminders.manage'],
      schema: {
        params: Type.Object({ key: Type.String() }),
        body: Type.Object(
          {
            label: Type.String(),
            delay_ms: Type.Optional(Type.Integer({ minimum: 0 })),
            fail_times: Type.Optional(Type.Integer({ minimum: 0 })),
            then_fail: ThenFail,
          },
          { additionalProperties: false },
        ),
        response: Done,
      },
      errors: [commonErrors.conflict],
      async handler({ params, body, deps }) {
        const payload = { key: params.key, label: body.label, failTimes: body.fail_times ?? 0 };
        await deps.jobs.enqueue('reminders.send', payload, { key: params.key, delayMs: body.delay_ms ?? 0 });
        if (body.then_fail) throw new ConflictError('changed my mind');
        return { done: true };
      },
    }),
    route({
      method: 'POST',
      path: '/reminders/:key/cancel',
      summary: 'Cancels the reminder of a key',
      permission: remindersPermissions['reminders.manage'],
      schema: { params: Type.Object({ key: Type.String() }), body: Type.Object({ then_fail: ThenFail }, { additionalProperties: false }), response: Done },
      errors: [commonErrors.conflict],
      async handler({ params, body, deps }) {
        await deps.jobs.cancel('reminders.send', params.key);
        if (body.then_fail) throw new ConflictError('changed my mind');
        return { done: true };
      },
    }),
  ],
  jobs: ({ job }) => [
    job({
      name: 'reminders.send',
      maxRetries: 3,
      async run({ payload, deps, ctx }) {
        if (ctx.attempt <= (payload.failTimes ?? 0)) throw new Error(`reminders.send fails attempt ${ctx.attempt}`);
        await deps.db.query('insert into reminders_sent (key, label, attempt) values ($1, $2, $3)', [payload.key, payload.label, ctx.attempt]);
      },
    }),
  ],
});
