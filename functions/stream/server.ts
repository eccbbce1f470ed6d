import { runFunction } from '../shared/boot.js';
import { createApp } from './app.js';
import { loadStreamConfig } from './config.js';

/** The stream function's entry: what of-watchdog starts in the image, listening on PORT. */
await runFunction('stream', { needsDatabase: true, loadConfig: loadStreamConfig }, ({ config, logger, registry, lifecycle, database }) => ({
  listener: createApp({ config, database, logger, registry, stopping: lifecycle.stopping }).app,
}));
