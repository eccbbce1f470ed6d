import express from 'express';
import { endpoints, expressPath } from '../functions/core/endpoints.js';
import { runFunction } from '../functions/shared/boot.js';
import { corsPolicy } from '../functions/shared/http/cors.js';
import { errorHandler, routeNotFound } from '../functions/shared/http/error-handler.js';
import { expressRequestMetrics } from '../functions/shared/metrics/request-metrics.js';
import { withRequestId } from '../functions/shared/http/request-id.js';
import { createApp } from '../functions/stream/app.js';
import { loadStreamConfig } from '../functions/stream/config.js';

/**
 * The stream function's routes mounted on Express, as the crud function is
 * built, for `npm run bench:stream` to measure against the plain listener the
 * function is: the same handlers, CORS policy, request metrics, `nosniff` and
 * request ids and JSON errors, routed by Express, with its request and response objects.
 */
await runFunction('stream', { needsDatabase: true, loadConfig: loadStreamConfig }, ({ config, logger, registry, lifecycle, database }) => {
  const stream = createApp({ config, database, logger, registry, stopping: lifecycle.stopping });
  const app = express();
  app.disable('x-powered-by');
  app.use(expressRequestMetrics(registry, 'stream'));
  app.use(withRequestId);
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });
  app.use(corsPolicy(config.corsOrigins));
  for (const route of stream.routes) {
    // no route has a wildcard: every parameter is one string
    app.get(expressPath(endpoints[route.name].path), (req, res) => route.handle(req, res, req.params as Record<string, string>));
  }
  app.use(routeNotFound);
  app.use(errorHandler(logger));
  return { listener: app };
});
