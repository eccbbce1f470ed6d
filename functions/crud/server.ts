import { bootFunction } from '../shared/boot.js';
import { closeServer, listen, onShutdownSignal } from '../shared/http/listen.js';
import { serveMetrics } from '../shared/metrics/metrics-server.js';
import { createApp } from './app.js';

/** The crud function's entry: what of-watchdog starts in the image, listening on PORT. */
const { config, logger, database, registry } = await bootFunction('crud');
// the image listens beyond this machine: open writes must be meant, not the result of a missing secret
if (config.apiKeys.length === 0 && !config.allowAnonymousWrites) {
  logger.fatal('API_KEYS (or the secret api-keys) is required for writes; set ALLOW_ANONYMOUS_WRITES=true to let anyone write');
  process.exit(1);
}
const crud = createApp({ config, database, logger, registry });
crud.sweeper.start();
const server = await listen(crud.app, config.port);
const metrics = await serveMetrics(registry, { port: config.metricsPort, logger });
logger.info({ address: server.address() }, 'crud listening');

onShutdownSignal(async () => {
  // jobs are handed back first: a request waiting on one (?wait=true) can then answer
  const closing = closeServer(server);
  await crud.shutdown();
  await closing;
  await metrics.close();
  await database.close();
});
