import { loadConfig } from '../shared/config.js';
import { closeServer, listen, onShutdownSignal } from '../shared/http/listen.js';
import { createLogger } from '../shared/logger.js';
import { connectDatabase } from '../shared/storage/database.js';
import { createApp } from './app.js';

/** The crud function's entry: what of-watchdog starts in the image, listening on PORT. */
const config = loadConfig();
const logger = createLogger(config.logLevel, 'crud');
if (!config.mongodbUri) {
  logger.fatal('MONGODB_URI (or the secret mongodb-uri) is required; `npm start` runs an embedded database locally');
  process.exit(1);
}
const database = await connectDatabase(config.mongodbUri, config.mongodbDb);
const crud = createApp({ config, database, logger });
crud.sweeper.start();
const server = await listen(crud.app, config.port);
logger.info({ address: server.address() }, 'crud listening');

onShutdownSignal(async () => {
  // jobs are handed back first: a request waiting on one (?wait=true) can then answer
  const closing = closeServer(server);
  await crud.shutdown();
  await closing;
  await database.close();
});
