import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { HttpError } from '../errors.js';

/**
 * At most `perMinute` writes a minute per API key (or per client address when
 * there is none), answered beyond that with 429 and Retry-After. 0 turns it off.
 */
export function writeRateLimit(perMinute: number): RequestHandler {
  if (perMinute <= 0) return (_req, _res, next) => next();
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => {
      const authorization = req.get('authorization');
      return authorization
        ? `key:${createHash('sha256').update(authorization).digest('hex')}`
        : `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
    },
    handler: (_req, _res, next) => {
      next(new HttpError('rate_limited', `Too many writes: at most ${perMinute} a minute`, { limitPerMinute: perMinute }));
    },
  });
}
