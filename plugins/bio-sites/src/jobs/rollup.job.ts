import type { Builders } from '../deps.js';
import { rollUpHits } from '../services/rollup.js';

/** The interval of each tenant's recurring rollup, started when the tenant enables the plugin. */
export const rollupInterval = '5 minutes';

/** `bio-sites.analytics.rollup`: pending hits → daily aggregates; queues itself again while a backlog remains. */
export const rollupJob = ({ job }: Builders) =>
  job({
    name: 'bio-sites.analytics.rollup',
    concurrency: 1,
    maxRetries: 3,
    async run({ deps, ctx }) {
      const { more } = await rollUpHits(deps, { timeZone: ctx.tenant.timeZone, batchSize: 5_000, maxHits: 100_000, touch: () => ctx.touch() });
      if (more) await deps.jobs.enqueue('bio-sites.analytics.rollup', {});
    },
  });

/** Starts the tenant's recurring rollup when it enables Bio Sites. */
export const scheduleRollup = ({ on }: Builders) =>
  on(
    'core.plugin.enabled',
    async ({ event, deps }) => {
      if (event.payload.plugin === 'bio-sites') await deps.jobs.every('bio-sites.analytics.rollup', rollupInterval, {});
    },
    { id: 'bio-sites.schedule-rollup' },
  );
