import { type Config, ConfigError, loadConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { watchDatabaseErrors } from './metrics/database-metrics.js';
import { createRegistry, type Registry } from './metrics/registry.js';
import { connectDatabase, type Database } from './storage/database.js';

/** The configuration, or the process stops with every problem named. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
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

/**
 * What every function's server entry does first: read the configuration
 * (failing fast with every problem named), make its logger, connect to the
 * database it must be given, and start its metrics.
 */
export async function bootFunction(name: string): Promise<{ config: Config; logger: Logger; database: Database; registry: Registry }> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel, name);
  if (!config.mongodbUri) {
    logger.fatal('MONGODB_URI (or the secret mongodb-uri) is required; `npm start` runs an embedded database locally');
    process.exit(1);
  }
  const database = await connectDatabase(config.mongodbUri, config.mongodbDb);
  return { config, logger, database, registry: processRegistry(database) };
}
