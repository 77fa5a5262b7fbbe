import http from 'node:http';
import path from 'node:path';
import dotenv from 'dotenv';
import { createApp } from './app.js';
import {
  ConfigError,
  loadConfig,
  misspelledSettings,
  readFileSettings,
  settingOrigins,
  wantsDevelopmentSecret,
  type Config,
} from './config.js';
import { readOrCreateDevelopmentSecret } from './development-secret.js';
import { unknownMigrations } from './db/migrator.js';
import { localCluster, openDatabase, type Database } from './db/open.js';
import { createLogger, knexLog, type Logger } from './logger.js';
import { describeStartupFailure, type FailureContext } from './startup-failure.js';
import { version } from './version.js';

/** Local state of a run from the sources: the embedded database and the development key. */
const DATA_DIRECTORY = path.resolve('.data');

/** Reads .env and the environment; on a bad configuration prints why (with the .env typos) and exits 1. */
async function configure(): Promise<{ config: Config; typos: string[] }> {
  const inherited = new Set(Object.keys(process.env));
  const { parsed = {} } = dotenv.config({ quiet: true });
  const typos = misspelledSettings(Object.keys(parsed));
  try {
    const env = readFileSettings(process.env);
    // A read-only filesystem (the image run with ENVIRONMENT=local) falls back to a per-process key.
    const developmentSecret = wantsDevelopmentSecret(env)
      ? await readOrCreateDevelopmentSecret(DATA_DIRECTORY).catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'EROFS') return undefined;
          throw error;
        })
      : undefined;
    const origins = settingOrigins(
      process.env,
      Object.keys(parsed).filter((name) => !inherited.has(name)),
    );
    return { config: loadConfig(env, { developmentSecret, origins }), typos };
  } catch (error) {
    // Nothing has been logged yet, so plain stderr keeps the order.
    for (const typo of typos) process.stderr.write(`warning: ${typo}\n`);
    const context = { host: '', port: 0, dataDirectory: DATA_DIRECTORY };
    process.stderr.write(
      error instanceof ConfigError
        ? `${error.message}\n`
        : `fast-zero failed to start: ${describeStartupFailure(error, context)}\n`,
    );
    process.exit(1);
  }
}

/** Waits until every line queued in the logger (a pino-pretty worker in development) is written. */
const flushed = (logger: Logger) => new Promise<void>((resolve) => logger.flush(() => resolve()));

/**
 * The only module with process effects: config → database → migrations →
 * app → listen → signals. Shutdown is one awaited sequence.
 */
async function main(): Promise<void> {
  const { config, typos } = await configure();
  const logger = createLogger(config.log);
  for (const warning of [...typos, ...config.warnings]) logger.warn(warning);
  const context: FailureContext = {
    host: config.host,
    port: config.port,
    databaseUrl: config.databaseUrl,
    dataDirectory: DATA_DIRECTORY,
  };

  let database: Database | undefined;
  let server: http.Server;
  const lifecycle = { draining: false };
  try {
    database = await openDatabase({
      url: config.databaseUrl,
      migrationsUrl: config.migrationsDatabaseUrl,
      embedded: localCluster(DATA_DIRECTORY),
      waitSeconds: config.db.waitSeconds,
      pool: config.db,
      migrate: config.runMigrations,
      log: (message) => logger.info(message),
      knexLog: knexLog(logger),
    });
    const { db, applied } = database;
    if (!config.runMigrations) logger.info('RUN_MIGRATIONS=0: not migrating (/health/ready reports pending ones)');
    else
      logger.info(
        applied.length ? { applied } : {},
        applied.length ? 'migrations applied' : 'database schema is up to date',
      );
    const ahead = await unknownMigrations(db);
    if (ahead.length > 0) {
      logger.warn({ ahead }, 'the database has migrations this release does not know (a newer release ran them)');
    }

    const { app } = createApp({ config, db, logger, lifecycle, version });
    server = http.createServer(app.callback());
    // Shorter than any load balancer's idle timeout is the usual bug; longer is safe.
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
  } catch (error) {
    // Through the logger, after what it already queued, and with the embedded cluster stopped.
    logger.fatal(`fast-zero failed to start: ${describeStartupFailure(error, context)}`);
    await database?.close().catch(() => {});
    await flushed(logger);
    process.exit(1);
  }
  const opened = database;
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
      await opened.close();
      logger.info('stopped');
    })());

  // SIGHUP: the terminal running `npm start` was closed; stop the embedded cluster too.
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
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
