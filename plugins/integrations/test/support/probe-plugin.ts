import { coreServices, definePermissions, definePlugin, Type } from '@plinth/sdk';

declare module '@plinth/sdk' {
  interface PlinthEvents {
    /** Emitted on demand by the test-only probe plugin. */
    'probe.thing.happened': { total: number; email?: string; phone?: string; name?: string };
  }
}

const permissions = definePermissions('probe', { 'things.emit': { description: 'Emit a probe event', grantTo: ['admin'] } });

/** A test-only plugin whose route emits `probe.thing.happened` with the body as payload: an event source for webhooks and rules. */
export const probePlugin = definePlugin({
  name: 'probe',
  version: '0.1.0',
  title: 'Probe',
  description: 'Emits events for tests.',
  category: 'testing',
  requires: { core: '^0.1.0' },
  deps: { events: coreServices.events },
  permissions,
  routes: ({ route }) => [
    route({
      method: 'POST',
      path: '/emit',
      summary: 'Emit probe.thing.happened',
      permission: permissions['things.emit'],
      schema: {
        body: Type.Object({
          total: Type.Integer(),
          email: Type.Optional(Type.String()),
          phone: Type.Optional(Type.String()),
          name: Type.Optional(Type.String()),
        }),
      },
      async handler({ body, deps }) {
        await deps.events.emit('probe.thing.happened', body);
        return { emitted: true };
      },
    }),
  ],
});
