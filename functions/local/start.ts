import { loadConfigOrExit, processRegistry } from '../shared/boot.js';
import { loadConfig } from './config.js';
import { closeServer, listen, onShutdownSignal } from '../shared/http/listen.js';
import { createLogger } from '../shared/logger.js';
import { serveMetrics } from '../shared/metrics/metrics-server.js';
import { connectDatabase } from '../shared/storage/database.js';
import { openDatabase } from './embedded-database.js';
import { WEB_DIST } from '../../web/build.js';
import { createGateway } from './gateway.js';

/** A connection string fit to print: any password in it is masked. */
function withoutPassword(uri: string): string {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/[^:@/]*):[^@/]*@/, '$1:****@');
}

/**
 * `npm start`: the whole service in one process on one port, on the embedded
 * database unless MONGODB_URI says otherwise.
 */
async function main() {
  const config = loadConfigOrExit(loadConfig);
  const logger = createLogger(config.logLevel, 'segue');
  const engine = await openDatabase(config.mongodbUri, config.dataDir, logger);
  const database = await connectDatabase(engine.uri, config.mongodbDb);
  const registry = processRegistry(database);
  const gateway = createGateway({ config, database, logger, webRoot: WEB_DIST, registry });
  gateway.crud.sweeper.start();

  const server = await listen(gateway.app, config.port, '127.0.0.1');
  const metrics = await serveMetrics(registry, { port: config.metricsPort, host: '127.0.0.1', logger });
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : config.port}`;
  console.log(`Segue is running at ${base}/`);
  console.log(`  database: ${withoutPassword(engine.uri)} (${engine.engine})`);
  if (metrics.address) console.log(`  metrics:  http://127.0.0.1:${metrics.address.port}/metrics`);
  console.log(`  player:   ${base}/`);
  console.log(`  upload:   curl -F file=@song.mp3 '${base}/function/crud/tracks?wait=true'`);
  console.log(`  play:     ${base}/function/stream/tracks/<id>/master.m3u8`);

  onShutdownSignal(async () => {
    // jobs are handed back first: a request waiting on one (?wait=true) can then answer
    const closing = closeServer(server);
    await gateway.crud.shutdown();
    await closing;
    await metrics.close();
    await database.close();
    await engine.stop();
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
