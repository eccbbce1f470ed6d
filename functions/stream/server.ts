import { bootFunction } from '../shared/boot.js';
import { closeServer, listen, onShutdownSignal } from '../shared/http/listen.js';
import { createApp } from './app.js';

/** The stream function's entry: what of-watchdog starts in the image, listening on PORT. */
const { config, logger, database } = await bootFunction('stream');
const stream = createApp({ config, database, logger });
const server = await listen(stream.app, config.port);
logger.info({ address: server.address() }, 'stream listening');

onShutdownSignal(async () => {
  await closeServer(server);
  await database.close();
});
