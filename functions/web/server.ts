import { resolve } from 'node:path';
import { loadConfigOrExit, processRegistry } from '../shared/boot.js';
import { closeServer, listen, onShutdownSignal } from '../shared/http/listen.js';
import { createLogger } from '../shared/logger.js';
import { serveMetrics } from '../shared/metrics/metrics-server.js';
import { createApp } from './app.js';

/** The web function's entry: serves the player built into `web/dist` under the working directory (/home/app in the image). */
const config = loadConfigOrExit();
const logger = createLogger(config.logLevel, 'web');
const registry = processRegistry();
const server = await listen(createApp({ root: resolve('web/dist'), registry }), config.port);
const metrics = await serveMetrics(registry, { port: config.metricsPort, logger });
logger.info({ address: server.address() }, 'web listening');

onShutdownSignal(async () => {
  await closeServer(server);
  await metrics.close();
});
