import type { Request, RequestHandler } from 'express';
import { HttpError } from './http-error.js';

const LOOPBACK_HOST = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/i;

/**
 * A page served by this very process on this machine (npm start's player),
 * told by the address it was asked for. Only loopback addresses count: the
 * Host header is the client's to write, and a DNS-rebinding page's origin
 * equals its Host, so a public origin must be named in CORS_ORIGINS.
 */
const isOwnLoopbackPage = (req: Request, origin: string) =>
  LOOPBACK_HOST.test(req.host) && origin === `${req.protocol}://${req.host}`;

/**
 * A browser names the page behind every cross-origin request (and every
 * same-origin POST) in `Origin`. A write from a page that is neither this
 * service's own on loopback nor one of `CORS_ORIGINS` is refused, key or not:
 * otherwise any site a user visits could upload or delete through the user's
 * browser. Requests without `Origin` (scripts, the SDK in Node, curl) are not
 * from a page and pass.
 */
export function requireWriteIntent(origins: '*' | string[]): RequestHandler {
  const allowed = new Set(origins === '*' ? [] : origins);
  return (req, _res, next) => {
    const origin = req.get('origin');
    if (origin === undefined || allowed.has(origin) || isOwnLoopbackPage(req, origin)) return next();
    next(
      new HttpError('forbidden', 'Writes from this web page are not allowed: its origin is not one of CORS_ORIGINS', {
        origin,
      }),
    );
  };
}
