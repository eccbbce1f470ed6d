import { type Config, ConfigError, loadConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';
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

/**
 * What every function's server entry does first: read the configuration
 * (failing fast with every problem named), make its logger, and connect to the
 * database it must be given.
 */
export async function bootFunction(name: string): Promise<{ config: Config; logger: Logger; database: Database }> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel, name);
  if (!config.mongodbUri) {
    logger.fatal('MONGODB_URI (or the secret mongodb-uri) is required; `npm start` runs an embedded database locally');
    process.exit(1);
  }
  const database = await connectDatabase(config.mongodbUri, config.mongodbDb);
  return { config, logger, database };
}
