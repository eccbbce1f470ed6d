import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import { Histogram } from 'prom-client';
import { type Registry, sharedMetric } from './registry.js';

export type FunctionName = 'crud' | 'stream' | 'web';

const NAME = 'segue_http_request_duration_seconds';
/** From a segment served from memory (about a millisecond) to an upload of a few minutes. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300];
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** What no route answered (404, 405, CORS preflights): one label, so requests for made-up paths add no series. */
export const UNMATCHED = 'unmatched';
/** nginx's code for a client that went away before the whole answer was sent. */
const CLIENT_GONE = '499';

const requestDuration = (registry: Registry) =>
  sharedMetric(
    registry,
    NAME,
    (registers) =>
      new Histogram({
        name: NAME,
        help: 'Time from a request arriving to its answer sent, by function, route pattern and status code (499: the client went away first)',
        labelNames: ['function', 'method', 'route', 'status_code'] as const,
        buckets: BUCKETS,
        registers,
      }),
  );

/** Starts the clock on a request; `route` is asked once the answer is sent, when routing has happened. */
function timeRequest(histogram: ReturnType<typeof requestDuration>, fn: FunctionName, req: IncomingMessage, res: ServerResponse, route: () => string) {
  const end = histogram.startTimer();
  res.once('close', () => {
    end({
      function: fn,
      method: METHODS.has(req.method ?? '') ? req.method : 'other',
      route: route(),
      status_code: res.writableFinished ? String(res.statusCode) : CLIENT_GONE,
    });
  });
}

const expressRoute = (req: Request): string | undefined => {
  const path: unknown = req.route?.path;
  return path === undefined ? undefined : String(path);
};

/** Express middleware timing every request after it, labelled with the pattern of the route that answered (`/tracks/:id`). */
export function expressRequestMetrics(registry: Registry, fn: FunctionName, { unrouted = UNMATCHED } = {}): RequestHandler {
  const histogram = requestDuration(registry);
  return (req, res, next) => {
    timeRequest(histogram, fn, req, res, () => expressRoute(req) ?? unrouted);
    next();
  };
}

/** The web player's requests: its files (`static`, served without a route) and its pages. */
export const webRequestMetrics = (registry: Registry) => expressRequestMetrics(registry, 'web', { unrouted: 'static' });

/** For a plain request listener that routes by itself: starts the clock on a request, labelled with the route pattern it matched. */
export function listenerRequestTimer(registry: Registry, fn: FunctionName): (req: IncomingMessage, res: ServerResponse, route: string | undefined) => void {
  const histogram = requestDuration(registry);
  return (req, res, route) => timeRequest(histogram, fn, req, res, () => route ?? UNMATCHED);
}
