import { setTimeout as sleep } from 'node:timers/promises';
import type { ProcessConfig } from './config/process-settings.js';
import { ConfigError } from './config/settings.js';
import type { RequestListener } from 'node:http';
import { Lifecycle } from './http/lifecycle.js';
import { closeServer, listen, onShutdownSignal } from './http/listen.js';
import { createLogger, type Logger } from './logger.js';
import { watchDatabaseErrors } from './metrics/database-metrics.js';
import { serveMetrics } from './metrics/metrics-server.js';
import { createRegistry, type Registry } from './metrics/registry.js';
import type { FunctionName } from './metrics/request-metrics.js';
import { connectDatabase, type Database, isDatabaseUnreachable } from './storage/database.js';

/** The configuration, or the process stops with every problem named. */
export function loadConfigOrExit<C>(load: () => C): C {
  try {
    return load();
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  }
}

/** A process's metrics: its own (CPU, memory, event loop) and, given its database client, the database errors it sees. */
export function processRegistry(database?: Database): Registry {
  const registry = createRegistry({ processMetrics: true });
  if (database) watchDatabaseErrors(registry, database.client);
  return registry;
}

/** Pause between attempts to reach a database that does not answer yet. */
const CONNECT_RETRY_MS = 1000;

/** Connects, trying again for as long as the database cannot be reached; anything else (bad credentials) is fatal. */
async function connectWhenAnswered(uri: string, dbName: string, logger: Logger, stopping: AbortSignal): Promise<Database> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await connectDatabase(uri, dbName);
    } catch (error) {
      if (!isDatabaseUnreachable(error)) throw error;
      logger.warn({ err: error, attempt }, 'the database does not answer yet; requests get 503 until it does');
      await sleep(CONNECT_RETRY_MS, undefined, { signal: stopping });
    }
  }
}

export interface FunctionContext<C> {
  config: C;
  logger: Logger;
  registry: Registry;
  lifecycle: Lifecycle;
}

interface StartOptions<C> {
  /** reads and checks the function's own settings */
  loadConfig: () => C;
  /** a reason not to start at all, if there is one */
  refuse?: (config: C) => string | undefined;
}

/** The settings a function that keeps data reads. */
interface DatabaseConfig {
  mongodbUri: string | undefined;
  mongodbDb: string;
}

export interface RunningFunction {
  /** answers requests from the moment it is returned */
  listener: RequestListener;
  /** at SIGTERM: stops background work and hands what is unfinished back to other replicas */
  handBack?: () => Promise<void>;
}

/**
 * What every function's server entry does: read the configuration (failing
 * fast with every problem named), listen at once (answering 503 until ready),
 * connect to the database when it needs one (for as long as that takes), then
 * serve; and on SIGTERM, drain before it exits.
 */
export async function runFunction<C extends ProcessConfig & DatabaseConfig>(
  name: FunctionName,
  options: StartOptions<C> & { needsDatabase: true },
  start: (context: FunctionContext<C> & { database: Database }) => RunningFunction,
): Promise<void>;
export async function runFunction<C extends ProcessConfig>(
  name: FunctionName,
  options: StartOptions<C> & { needsDatabase: false },
  start: (context: FunctionContext<C>) => RunningFunction,
): Promise<void>;
export async function runFunction<C extends ProcessConfig & Partial<DatabaseConfig>>(
  name: FunctionName,
  { needsDatabase, loadConfig, refuse }: StartOptions<C> & { needsDatabase: boolean },
  start: (context: FunctionContext<C> & { database: Database }) => RunningFunction,
): Promise<void> {
  const config = loadConfigOrExit(loadConfig);
  const logger = createLogger(config.logLevel, name);
  const { mongodbUri } = config;
  const refusal = needsDatabase && !mongodbUri
    ? 'MONGODB_URI (or the secret mongodb-uri) is required; `npm start` runs an embedded database locally'
    : refuse?.(config);
  if (refusal) {
    logger.fatal(refusal);
    process.exit(1);
  }
  const registry = processRegistry();
  const lifecycle = new Lifecycle({
    logger,
    readyLockFile: config.readyLockFile,
    drainHoldMs: config.drainHoldMs,
    shutdownGraceMs: config.shutdownGraceMs,
  });
  const server = await listen(lifecycle.listener, config.port, config.host);
  const metrics = await serveMetrics(registry, { port: config.metricsPort, logger });
  logger.info({ address: server.address() }, `${name} listening`);

  let database: Database | undefined;
  let running: RunningFunction | undefined;
  onShutdownSignal(async () => {
    await lifecycle.drain(async () => running?.handBack?.());
    const closed = closeServer(server);
    // whatever still runs has had its grace period
    server.closeAllConnections();
    await closed;
    await metrics.close();
    await database?.close();
  });
  if (needsDatabase && mongodbUri) {
    try {
      database = await connectWhenAnswered(mongodbUri, config.mongodbDb!, logger, lifecycle.stopping);
    } catch (error) {
      if (lifecycle.stopping.aborted) return;
      logger.fatal({ err: error }, 'could not connect to the database');
      process.exit(1);
    }
    watchDatabaseErrors(registry, database.client);
  }
  if (lifecycle.stopping.aborted) return;
  // only a function that needs no database (nor reads its settings) is started without one, and its `start` reads none
  running = start({ config, logger, registry, lifecycle, database: database as Database });
  lifecycle.serve(running.listener);
}
