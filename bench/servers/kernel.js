// The Plinth kernel with one route reading a row by primary key through the kernel's database.
import { createKernel, loadConfig, respond } from '@plinth/core';

const config = await loadConfig({
  env: { ...process.env, DATABASE_URL: process.env.BENCH_DATABASE_URL, PORT: '0', LOG_LEVEL: 'warn', PLINTH_ROLE: 'api' },
});
const kernel = await createKernel(config);
const { database } = kernel.container.cradle;
kernel.apiRouter.get('/bench/items/:id', async (ctx) => {
  respond(
    ctx,
    await database
      .knex('bench_items')
      .where({ id: Number(ctx.params.id) })
      .first('id', 'name', 'price'),
  );
});
await kernel.start();
process.send?.({ url: `${kernel.url}/api/v1/bench` });
process.on('message', (message) => message === 'stop' && kernel.stop().then(() => process.exit(0)));
