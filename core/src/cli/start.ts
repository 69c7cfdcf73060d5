import type { PlinthConfig } from '../config/variables.js';
import { createKernel } from '../kernel.js';
import { createLogger } from '../logger.js';
import { hostPlugins } from '../plugins/load-plugins.js';

/** Starts a kernel and stops it gracefully on SIGTERM/SIGINT; a second signal exits at once. */
export async function runStart(config: PlinthConfig): Promise<void> {
  const logger = createLogger(config.logLevel);
  const started = performance.now();
  const kernel = await createKernel(config, { logger, plugins: await hostPlugins(config, process.cwd()) });
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    kernel.stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  // A plugin's forgotten promise or a throw in its timer must not take every tenant down with it:
  // log it (with the plugin's name when known) and keep serving.
  process.on('unhandledRejection', (reason) =>
    logger.error({ err: reason, plugin: (reason as { plugin?: string })?.plugin }, 'unhandled promise rejection; kept running'),
  );
  process.on('uncaughtException', (error) => logger.error({ err: error, plugin: (error as { plugin?: string }).plugin }, 'uncaught exception; kept running'));
  try {
    await kernel.start();
  } catch (error) {
    await kernel.stop().catch(() => undefined);
    throw error;
  }
  const ms = Math.round(performance.now() - started);
  logger.info({ url: kernel.url, role: config.role, ms }, 'plinth started');
  if (kernel.url) console.log(`Plinth is running at ${kernel.url} (role ${config.role}, ready in ${ms} ms)`);
  else console.log(`Plinth worker is running (ready in ${ms} ms)`);
}
