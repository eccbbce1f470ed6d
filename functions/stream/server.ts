import { bootFunction } from '../shared/boot.js';
import { closeServer, listen, onShutdownSignal } from '../shared/http/listen.js';
import { serveMetrics } from '../shared/metrics/metrics-server.js';
import { createApp } from './app.js';

/** The stream function's entry: what of-watchdog starts in the image, listening on PORT. */
const { config, logger, database, registry } = await bootFunction('stream');
const stream = createApp({ config, database, logger, registry });
const server = await listen(stream.app, config.port);
const metrics = await serveMetrics(registry, { port: config.metricsPort, logger });
logger.info({ address: server.address() }, 'stream listening');

onShutdownSignal(async () => {
  await closeServer(server);
  await metrics.close();
  await database.close();
});
