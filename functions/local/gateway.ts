import express, { type Express } from 'express';
import { type CrudApp, createApp as createCrudApp } from '../crud/app.js';
import { type StreamApp, createApp as createStreamApp } from '../stream/app.js';
import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';
import type { Database } from '../shared/storage/database.js';
import { webPlayer } from '../web/app.js';
import { TrackEvents } from '../shared/track-events.js';

export interface Gateway {
  app: Express;
  crud: CrudApp;
  stream: StreamApp;
}

/**
 * Both functions in one Express app, at the paths the OpenFaaS gateway gives
 * them (`/function/<name>/…`). Sharing a process, the stream function hears
 * of deletions at once.
 */
export function createGateway(deps: { config: Config; database: Database; logger: Logger; webRoot?: string }): Gateway {
  const events = new TrackEvents();
  const crud = createCrudApp({ ...deps, logger: deps.logger.child({ function: 'crud' }), events });
  const stream = createStreamApp({ ...deps, logger: deps.logger.child({ function: 'stream' }), events });
  const app = express();
  app.disable('x-powered-by');
  app.use('/function/crud', crud.app);
  app.use('/function/stream', stream.app);
  if (deps.webRoot) app.use(webPlayer(deps.webRoot));
  return { app, crud, stream };
}
