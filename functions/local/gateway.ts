import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Express, type Router } from 'express';
import { type CrudApp, createApp as createCrudApp } from '../crud/app.js';
import { type StreamApp, createApp as createStreamApp } from '../stream/app.js';
import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';
import type { Database } from '../shared/storage/database.js';
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

/**
 * The built player at `/`: its files, and index.html for every other page so
 * share links (`/t/<id>`) load the app, which routes them itself. Paths that
 * are no page of the app still get index.html (to show its not-found page),
 * with a 404.
 */
function webPlayer(root: string): Router {
  const router = express.Router();
  const index = join(root, 'index.html');
  router.use(express.static(root, { index: 'index.html', cacheControl: true, maxAge: 0 }));
  router.get(/.*/, (req, res) => {
    if (!existsSync(index)) {
      res.status(404).type('text').send('The web player is not built: run `npm run build:web`.');
      return;
    }
    const isPage = req.path === '/' || /^\/t\/[0-9A-Za-z]{12}\/?$/.test(req.path);
    res.status(isPage ? 200 : 404).setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}
