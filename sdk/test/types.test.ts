// Type tests: every `@ts-expect-error` line must fail to compile (`npm run typecheck` checks it; an
// unneeded @ts-expect-error is itself an error). The runtime assertions check what definePlugin builds.
import { describe, expect, it } from 'vitest';
import { coreServices, createServiceRef, definePermissions, definePlugin, Reply, Type } from '../src/index.js';

declare module '../src/index.js' {
  interface PlinthEvents {
    'typetest.widget.created': { widgetId: string; size: number };
  }
  interface PlinthJobs {
    'typetest.widget.polish': { widgetId: string };
  }
}

const permissions = definePermissions('typetest', {
  'widgets.view': { description: 'View widgets', grantTo: ['admin', 'member', 'viewer'] },
  'widgets.manage': { description: 'Change widgets', grantTo: ['admin'] },
});

interface Polisher {
  polish(id: string): Promise<boolean>;
}
const polisherRef = createServiceRef<Polisher>('typetest.polisher');

const Widget = Type.Object({ id: Type.String(), size: Type.Integer() });

const plugin = definePlugin({
  name: 'typetest',
  version: '1.0.0',
  title: 'Type test',
  description: 'Exercises the SDK types',
  category: 'test',
  requires: { core: '^0.1.0' },
  deps: { db: coreServices.db, events: coreServices.events, jobs: coreServices.jobs, polisher: polisherRef },
  permissions,
  settings: Type.Object({ maxSize: Type.Integer({ default: 10 }) }),
  routes: ({ route }) => [
    route({
      method: 'POST',
      path: '/widgets',
      summary: 'Create a widget',
      permission: permissions['widgets.manage'],
      schema: { body: Type.Object({ size: Type.Integer() }), response: Widget },
      async handler({ body, deps, ctx }) {
        const size: number = body.size;
        const limit: number = ctx.settings.maxSize;
        // @ts-expect-error -- the body schema has no `colour`
        void body.colour;
        // @ts-expect-error -- not a declared dep
        void deps.mailer;
        const polished: boolean = await deps.polisher.polish('w1');
        await deps.events.emit('typetest.widget.created', { widgetId: 'w1', size });
        // @ts-expect-error -- unknown event name
        await deps.events.emit('typetest.widget.exploded', { widgetId: 'w1' });
        // @ts-expect-error -- wrong payload: size must be a number
        await deps.events.emit('typetest.widget.created', { widgetId: 'w1', size: 'big' });
        await deps.jobs.enqueue('typetest.widget.polish', { widgetId: 'w1' });
        // @ts-expect-error -- wrong job payload
        await deps.jobs.enqueue('typetest.widget.polish', { id: 'w1' });
        await deps.jobs.enqueue('typetest.widget.polish', { widgetId: 'w1' }, { key: 'w1', delayMs: 60_000 });
        await deps.jobs.cancel('typetest.widget.polish', 'w1');
        // @ts-expect-error -- a job name nobody declared
        await deps.jobs.cancel('typetest.widget.unknown', 'w1');
        // @ts-expect-error -- a key is a string
        await deps.jobs.cancel('typetest.widget.polish', 1);
        void ([ctx.tenant.timeZone, ctx.tenant.locale, ctx.tenant.currency] satisfies string[]);
        return Reply.created({ id: polished ? 'w1' : 'w2', size: Math.min(size, limit) });
      },
    }),
    route({
      method: 'GET',
      path: '/widgets/:id',
      summary: 'A widget',
      permission: permissions['widgets.view'],
      schema: { params: Type.Object({ id: Type.String() }), response: Widget },
      // @ts-expect-error -- the returned data does not match the response schema
      async handler({ params }) {
        return { id: params.id, size: 'large' };
      },
    }),
    // @ts-expect-error -- a route must declare a permission or public access
    route({ method: 'GET', path: '/open', summary: 'No access declared', async handler() {} }),
    route({ method: 'GET', path: '/ping', summary: 'Anyone', public: true, async handler() {} }),
  ],
  events: ({ on }) => [
    on('typetest.widget.created', async ({ event }) => {
      const size: number = event.payload.size;
      void size;
    }),
  ],
  jobs: ({ job }) => [
    job({
      name: 'typetest.widget.polish',
      async run({ payload, ctx }) {
        const id: string = payload.widgetId;
        void id;
        void ctx.settings.maxSize;
      },
    }),
  ],
});

describe('definePlugin', () => {
  it('keeps the declarative data and builds the routes, jobs and handlers', () => {
    expect(plugin).toMatchObject({ kind: 'plinth-plugin', name: 'typetest', version: '1.0.0', requires: { core: '^0.1.0' } });
    expect(plugin.routes.map((route) => `${route.method} ${route.path}`)).toEqual(['POST /widgets', 'GET /widgets/:id', 'GET /open', 'GET /ping']);
    expect(plugin.jobs.map((job) => job.name)).toEqual(['typetest.widget.polish']);
    expect(plugin.eventHandlers.map((handler) => handler.event)).toEqual(['typetest.widget.created']);
    expect(Object.keys(plugin.deps)).toEqual(['db', 'events', 'jobs', 'polisher']);
  });

  it('prefixes permission names with the plugin', () => {
    expect(permissions['widgets.view']).toEqual({ name: 'typetest.widgets.view', description: 'View widgets', grantTo: ['admin', 'member', 'viewer'] });
  });
});
