import http from 'node:http';
import path from 'node:path';
import dotenv from 'dotenv';
import { createApp } from './app.js';
import { ConfigError, loadConfig, readFileSettings } from './config.js';
import { openDatabase } from './db/open.js';
import { createLogger } from './logger.js';
import { version } from './version.js';

/**
 * The only module with process effects: config → database → migrations →
 * app → listen → signals. Shutdown is one awaited sequence.
 */
async function main(): Promise<void> {
  dotenv.config({ quiet: true });
  let config;
  try {
    config = loadConfig(readFileSettings(process.env));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const logger = createLogger(config.log);
  for (const warning of config.warnings) logger.warn(warning);

  const database = await openDatabase({
    url: config.databaseUrl,
    migrationsUrl: config.migrationsDatabaseUrl,
    embedded: { directory: path.resolve('.data'), database: 'fast_zero' },
    waitSeconds: config.db.waitSeconds,
    pool: config.db,
    migrate: config.runMigrations,
    log: (message) => logger.info(message),
  });
  const { db, applied } = database;
  if (!config.runMigrations) logger.info('RUN_MIGRATIONS=0: not migrating (/health/ready reports pending ones)');
  else
    logger.info(
      applied.length ? { applied } : {},
      applied.length ? 'migrations applied' : 'database schema is up to date',
    );

  const lifecycle = { draining: false };
  const { app } = createApp({ config, db, logger, lifecycle, version });
  const server = http.createServer(app.callback());
  // Shorter than any load balancer's idle timeout is the usual bug; longer is safe.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ host: config.host, port }, `listening on http://${config.host}:${port} (docs at /docs)`);

  let stopping: Promise<void> | undefined;
  const shutdown = (signal: string) =>
    (stopping ??= (async () => {
      logger.info({ signal }, 'shutting down: draining in-flight requests');
      lifecycle.draining = true;
      // If something hangs, leave anyway; unref'd so it never keeps the process alive.
      setTimeout(() => {
        logger.error('shutdown timed out; exiting');
        process.exit(1);
      }, config.shutdownTimeoutMs + 5_000).unref();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive sockets left idle by finished requests would hold close() open.
      const reaper = setInterval(() => server.closeIdleConnections(), 100);
      const grace = new Promise<'timeout'>((resolve) =>
        setTimeout(() => resolve('timeout'), config.shutdownTimeoutMs).unref(),
      );
      if ((await Promise.race([closed, grace])) === 'timeout') {
        logger.warn('grace period over: closing remaining connections');
        server.closeAllConnections();
        await closed;
      }
      clearInterval(reaper);
      await database.close();
      logger.info('stopped');
    })());

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      void shutdown(signal).then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}

process.on('unhandledRejection', (reason) => {
  process.stderr.write(`unhandled rejection: ${reason instanceof Error ? reason.stack : String(reason)}\n`);
  process.exit(1);
});

main().catch((error: unknown) => {
  process.stderr.write(`fast-zero failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
