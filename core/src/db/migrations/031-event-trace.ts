import type { Migration } from '../migrator.js';

/**
 * The trace context of the code that emitted an event (W3C `traceparent`, `tracestate`; null when tracing was off),
 * so that its delivery continues that trace even when the sweeper queues it after a crash (docs/operations/tracing.md).
 */
export const eventTrace: Migration = {
  name: '031-event-trace',
  async up(db) {
    await db.schema.alterTable('plinth_events', (table) => {
      table.jsonb('trace');
    });
  },
  async down(db) {
    await db.schema.alterTable('plinth_events', (table) => {
      table.dropColumn('trace');
    });
  },
};
