import { join } from 'node:path';
import express, { type Express, type Router } from 'express';
import { createRegistry, type Registry } from '../shared/metrics/registry.js';
import { webRequestMetrics } from '../shared/metrics/request-metrics.js';

/**
 * The built player: its files, and index.html for every other page so share
 * links (`/t/<id>`) load the app, which routes them itself. Paths that are no
 * page of the app still get index.html (to show its not-found page), with a
 * 404; paths that name a file the player does not have get a plain 404.
 */
export function webPlayer(root: string): Router {
  const router = express.Router();
  const index = join(root, 'index.html');
  router.use(express.static(root, { index: 'index.html', cacheControl: true, maxAge: 0 }));
  router.get(/.*/, (req, res) => {
    // a file that is not there (a browser asking for /favicon.ico) is a 404, never the page in its place
    if (/\.[0-9A-Za-z]+$/.test(req.path)) {
      res.status(404).type('text').send('Not found');
      return;
    }
    const isPage = req.path === '/' || /^\/t\/[0-9A-Za-z]{12}\/?$/.test(req.path);
    res.status(isPage ? 200 : 404).setHeader('Cache-Control', 'no-cache');
    res.sendFile(index, (error) => {
      if (error && !res.headersSent) res.status(404).type('text').send('The web player is not built: run `npm run build:web`.');
    });
  });
  return router;
}

/**
 * The web function: the player as a site of its own. It is a small server
 * rather than of-watchdog's static mode because that mode has no fallback to
 * index.html, and share links must load the app.
 */
export function createApp({ root, registry = createRegistry() }: { root: string; registry?: Registry }): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(webRequestMetrics(registry), webPlayer(root));
  return app;
}
