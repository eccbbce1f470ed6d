import express from 'express';
import { createApp as createCrudApp } from '../crud/app.js';
import { ConfigError, loadConfig } from '../shared/config.js';
import { closeServer, listen, onShutdownSignal } from '../shared/http/listen.js';
import { createLogger } from '../shared/logger.js';
import { connectDatabase } from '../shared/storage/database.js';
import { openDatabase } from './embedded-database.js';

/**
 * `npm start`: the whole service in one process on one port, the way the
 * OpenFaaS gateway lays it out (`/function/<name>/…`), on the embedded
 * database unless MONGODB_URI says otherwise.
 */
async function main() {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'segue');
  const engine = await openDatabase(config.mongodbUri, config.dataDir, logger);
  const database = await connectDatabase(engine.uri, config.mongodbDb);
  const crud = createCrudApp({ config, database, logger: logger.child({ function: 'crud' }) });
  crud.sweeper.start();

  const gateway = express();
  gateway.disable('x-powered-by');
  gateway.use('/function/crud', crud.app);
  const server = await listen(gateway, config.port, '127.0.0.1');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  console.log(`Segue is running at http://127.0.0.1:${port}/ (database: ${engine.engine})`);
  console.log(`  upload:  curl -F file=@song.mp3 'http://127.0.0.1:${port}/function/crud/tracks?wait=true'`);

  onShutdownSignal(async () => {
    // jobs are handed back first: a request waiting on one (?wait=true) can then answer
    const closing = closeServer(server);
    await crud.shutdown();
    await closing;
    await database.close();
    await engine.stop();
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
