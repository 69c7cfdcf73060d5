import type { PlinthConfig } from '../config/variables.js';
import { createKernel } from '../kernel.js';
import { createLogger } from '../logger.js';
import { hostPlugins } from '../plugins/load-plugins.js';
import { PluginFailure } from '../plugins/plugin-hooks.js';
import { startTracing } from '../telemetry/setup.js';

/**
 * Starts a kernel and stops it gracefully on SIGTERM/SIGINT (exit 0; a second signal exits at once). After an
 * uncaught exception, or a promise rejection nobody handled, the process is in a state nothing vouches for:
 * it logs the error, drains the same way (stops accepting, lets in-flight requests and jobs finish within
 * `PLINTH_SHUTDOWN_TIMEOUT_MS`) and exits 1, so its supervisor starts a fresh one. A rejection of a plugin's
 * contained work (a `PluginFailure`: a hook, event handler or job that failed and was already logged as that
 * plugin's) is logged and the process keeps serving.
 */
export async function runStart(config: PlinthConfig): Promise<void> {
  const logger = createLogger(config.logLevel);
  const started = performance.now();
  // Before the kernel, which makes spans only when an SDK is registered (OTEL_EXPORTER_OTLP_ENDPOINT and the like).
  const tracing = await startTracing({ role: config.role });
  const kernel = await createKernel(config, { logger, plugins: await hostPlugins(config, process.cwd()) });
  let stopping = false;
  const shutdown = (exitCode: 0 | 1) => {
    stopping = true;
    const since = performance.now();
    // Requests and jobs each get the shutdown timeout; a stop that still hangs (a pool that never closes) must not keep a process its supervisor waits to replace.
    setTimeout(
      () => {
        logger.error({ ms: Math.round(performance.now() - since) }, 'shutdown did not finish in time; exiting');
        process.exit(1);
      },
      2 * config.shutdownTimeoutMs + 5000,
    ).unref();
    // Spans still buffered are exported last, so the shutdown's own are among them.
    const stopped = kernel.stop().then(() => tracing?.shutdown().catch((error: unknown) => logger.warn({ err: error }, 'traces not exported')));
    stopped.then(
      () => {
        logger.info({ ms: Math.round(performance.now() - since), exitCode }, 'stopped');
        process.exit(exitCode);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    logger.info({ signal }, 'shutting down');
    shutdown(0);
  };
  const crash = (error: unknown, what: string) => {
    const plugin = (error as { plugin?: string } | undefined)?.plugin;
    if (stopping) {
      logger.error({ err: error, plugin }, `${what} while shutting down`);
      return;
    }
    logger.fatal({ err: error, plugin }, `${what}: draining and exiting (exit code 1) for a restart`);
    shutdown(1);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('uncaughtException', (error) => crash(error, 'uncaught exception'));
  process.on('unhandledRejection', (reason) => {
    if (reason instanceof PluginFailure) {
      logger.error({ err: reason, plugin: reason.plugin }, "unhandled rejection of a plugin's contained work; kept running");
      return;
    }
    crash(reason, 'unhandled promise rejection');
  });
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
