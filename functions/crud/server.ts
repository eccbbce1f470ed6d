import { runFunction } from '../shared/boot.js';
import { createApp } from './app.js';
import { loadCrudConfig } from './config.js';

/** The crud function's entry: what of-watchdog starts in the image, listening on PORT. */
await runFunction(
  'crud',
  {
    needsDatabase: true,
    loadConfig: loadCrudConfig,
    // the image listens beyond this machine: open writes must be meant, not the result of a missing secret
    refuse: (config) =>
      config.apiKeys.length === 0 && !config.allowAnonymousWrites
        ? 'API_KEYS (or the secret api-keys) is required for writes; set ALLOW_ANONYMOUS_WRITES=true to let anyone write'
        : undefined,
  },
  ({ config, logger, registry, lifecycle, database }) => {
    const crud = createApp({ config, database, logger, registry, stopping: lifecycle.stopping, cutOff: lifecycle.cutOff });
    crud.sweeper.start();
    // jobs are handed back first: a request waiting on one (?wait=true) can then answer
    return { listener: crud.app, handBack: crud.shutdown };
  },
);
