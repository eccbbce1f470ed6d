import type { RequestHandler } from 'express';
import { ipKeyGenerator, type Options, rateLimit } from 'express-rate-limit';
import { HttpError } from './http-error.js';
import { authenticatedKey } from './auth.js';

const byAddress = (req: { ip?: string }) => `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;

/**
 * At most `perMinute` requests a minute per client, answered beyond that
 * with 429 and Retry-After; 0 turns it off. `what` names the requests in the
 * refusal.
 */
function perClientLimit(perMinute: number, what: string, options: Partial<Options>): RequestHandler {
  if (perMinute <= 0) return (_req, _res, next) => next();
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: byAddress,
    handler: (_req, _res, next) => {
      next(new HttpError('rate_limited', `Too many ${what}: at most ${perMinute} a minute`, { limitPerMinute: perMinute }));
    },
    ...options,
  });
}

/**
 * Writes a minute per API key the request was let in with, or per client
 * address where writes need no key. It runs after the key check, so a
 * made-up key is refused rather than given an allowance of its own.
 */
export const writeRateLimit = (perMinute: number) =>
  perClientLimit(perMinute, 'writes', {
    keyGenerator: (req, res) => {
      const key = authenticatedKey(res);
      return key ? `key:${key}` : byAddress(req);
    },
  });

/**
 * POST /sweep is open to anyone (the cron-connector calls it without a key), so
 * it has a small limit of its own: a scheduler needs one a minute, and
 * overlapping calls share one pass anyway.
 */
export const SWEEPS_PER_MINUTE = 6;
// by address only: the route takes no key, so a made-up Authorization header must not buy a fresh quota
export const sweepRateLimit = () => perClientLimit(SWEEPS_PER_MINUTE, 'sweeps', {});
