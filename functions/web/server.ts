import { resolve } from 'node:path';
import { loadConfigOrExit } from '../shared/boot.js';
import { closeServer, listen, onShutdownSignal } from '../shared/http/listen.js';
import { createLogger } from '../shared/logger.js';
import { createApp } from './app.js';

/** The web function's entry: serves the player built into `web/dist` under the working directory (/home/app in the image). */
const config = loadConfigOrExit();
const logger = createLogger(config.logLevel, 'web');
const server = await listen(createApp({ root: resolve('web/dist') }), config.port);
logger.info({ address: server.address() }, 'web listening');

onShutdownSignal(() => closeServer(server));
