import type { Request, RequestHandler } from 'express';
import { HttpError } from '../errors.js';

/** The origin the request was addressed to, as the browser that sent it saw it (proxies only as trusted). */
const ownOrigin = (req: Request) => `${req.protocol}://${req.host}`;

/**
 * A browser names the page behind every cross-origin request (and every
 * same-origin POST) in `Origin`. A write from a page that is neither this
 * service's own nor one of `CORS_ORIGINS` is refused, key or not: otherwise
 * any site a user visits could upload or delete through the user's browser.
 * Requests without `Origin` (scripts, the SDK in Node, curl) are not from a
 * page and pass.
 */
export function requireWriteIntent(origins: '*' | string[]): RequestHandler {
  const allowed = new Set(origins === '*' ? [] : origins);
  return (req, _res, next) => {
    const origin = req.get('origin');
    if (origin === undefined || origin === ownOrigin(req) || allowed.has(origin)) return next();
    next(
      new HttpError('forbidden', 'Writes from this web page are not allowed: its origin is not one of CORS_ORIGINS', {
        origin,
      }),
    );
  };
}
