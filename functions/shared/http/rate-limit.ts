import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { HttpError } from '../errors.js';

/**
 * At most `perMinute` requests a minute per API key (or per client address
 * when there is none), answered beyond that with 429 and Retry-After. 0 turns
 * it off. `what` names the requests in the refusal.
 */
function perClientLimit(perMinute: number, what: string, byKey = true): RequestHandler {
  if (perMinute <= 0) return (_req, _res, next) => next();
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => {
      const authorization = byKey ? req.get('authorization') : undefined;
      return authorization
        ? `key:${createHash('sha256').update(authorization).digest('hex')}`
        : `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
    },
    handler: (_req, _res, next) => {
      next(new HttpError('rate_limited', `Too many ${what}: at most ${perMinute} a minute`, { limitPerMinute: perMinute }));
    },
  });
}

export const writeRateLimit = (perMinute: number) => perClientLimit(perMinute, 'writes');

/**
 * POST /sweep is open to anyone (the cron-connector calls it without a key), so
 * it has a small limit of its own: a scheduler needs one a minute, and
 * overlapping calls share one pass anyway.
 */
export const SWEEPS_PER_MINUTE = 6;
// by address only: the route takes no key, so a made-up Authorization header must not buy a fresh quota
export const sweepRateLimit = () => perClientLimit(SWEEPS_PER_MINUTE, 'sweeps', false);
