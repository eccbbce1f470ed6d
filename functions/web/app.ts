import { join, relative, sep } from 'node:path';
import express, { type Express, type Router } from 'express';
import expressStaticGzip from 'express-static-gzip';
import { createRegistry, type Registry } from '../shared/metrics/registry.js';
import { webRequestMetrics } from '../shared/metrics/request-metrics.js';
import { IMMUTABLE } from '../shared/http/cache-control.js';
import { withRequestId } from '../shared/http/request-id.js';
import { SHARE_ID } from '../core/share-id.js';

/** The pages a share link opens (a track's, a playlist's), answered with the app like the root. */
const SHARED_PAGE = new RegExp(`^/[tp]/${SHARE_ID}/?$`);

/**
 * The built player: its files, and index.html for every other page so share
 * links (`/t/<id>`, `/p/<id>` for playlists) load the app, which routes them itself. Paths that are no
 * page of the app still get index.html (to show its not-found page), with a
 * 404; paths that name a file the player does not have get a plain 404.
 *
 * What the build put in assets/ is named by its content: cached for good, and
 * sent brotli- or gzip-compressed as the browser accepts, from the copies the
 * build made. The page and config.js are asked again every time.
 */
export function webPlayer(root: string): Router {
  const router = express.Router();
  router.use(withRequestId);
  const index = join(root, 'index.html');
  const isAsset = (path: string) => relative(root, path).startsWith(`assets${sep}`);
  router.use(
    expressStaticGzip(root, {
      enableBrotli: true,
      orderPreference: ['br', 'gz'],
      serveStatic: {
        cacheControl: false,
        setHeaders: (res, path) => res.setHeader('Cache-Control', isAsset(path) ? IMMUTABLE : 'no-cache'),
      },
    }),
  );
  router.get(/.*/, (req, res) => {
    // a file that is not there (a browser asking for /favicon.ico) is a 404, never the page in its place
    if (/\.[0-9A-Za-z]+$/.test(req.path)) {
      res.status(404).type('text').send('Not found');
      return;
    }
    const isPage = req.path === '/' || SHARED_PAGE.test(req.path);
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
