import express, { type Express } from 'express';
import { type CrudApp, createApp as createCrudApp } from '../crud/app.js';
import { type StreamApp, createApp as createStreamApp } from '../stream/app.js';
import type { Config } from './config.js';
import type { Logger } from '../shared/logger.js';
import { createRegistry, type Registry } from '../shared/metrics/registry.js';
import { webRequestMetrics } from '../shared/metrics/request-metrics.js';
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
 * of deletions at once, and their metrics go to one registry, told apart by
 * their `function` label or by their names.
 */
export function createGateway(deps: { config: Config; database: Database; logger: Logger; webRoot?: string; registry?: Registry }): Gateway {
  const events = new TrackEvents();
  const registry = deps.registry ?? createRegistry();
  const crud = createCrudApp({ ...deps, logger: deps.logger.child({ function: 'crud' }), events, registry });
  const stream = createStreamApp({ ...deps, logger: deps.logger.child({ function: 'stream' }), events, registry });
  const app = express();
  app.disable('x-powered-by');
  app.use('/function/crud', crud.app);
  app.use('/function/stream', stream.app);
  if (deps.webRoot) app.use(webRequestMetrics(registry), webPlayer(deps.webRoot));
  return { app, crud, stream };
}
