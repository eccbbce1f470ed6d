import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { LRUCache } from 'lru-cache';
import { HttpError } from './http-error.js';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Refused keys a minute per client address: guessing keys is slowed to a crawl. */
export const REFUSED_KEYS_PER_MINUTE = 10;

/** Which configured key a request was let in with (a digest, never the key), for per-key limits. */
export const authenticatedKey = (res: Response): string | undefined => res.locals.apiKeyDigest as string | undefined;

/** Counts each address's refused keys over a minute; addresses are forgotten oldest first past 100,000. */
function refusalCounter() {
  const refusals = new LRUCache<string, { count: number }>({ max: 100_000, ttl: 60_000, ttlAutopurge: false });
  const addressOf = (req: Request) => ipKeyGenerator(req.ip ?? 'unknown');
  return {
    exhausted: (req: Request) => (refusals.get(addressOf(req))?.count ?? 0) >= REFUSED_KEYS_PER_MINUTE,
    secondsLeft: (req: Request) => Math.ceil(refusals.getRemainingTTL(addressOf(req)) / 1000),
    count(req: Request) {
      const address = addressOf(req);
      const entry = refusals.get(address, { updateAgeOnGet: false });
      if (entry) entry.count++;
      else refusals.set(address, { count: 1 });
    },
  };
}

/**
 * Write routes need `Authorization: Bearer <key>` once keys are configured.
 * Keys are compared as fixed-length digests in constant time, and every key is
 * tried, so neither timing nor order tells a caller anything. An address that
 * was refused REFUSED_KEYS_PER_MINUTE times in a minute gets 429 for anything
 * but a right key until the minute is over: guessing stops, and the holders
 * of keys who share its address (behind one NAT or proxy) are not locked out.
 */
export function requireApiKey(apiKeys: readonly string[]): RequestHandler {
  const known = apiKeys.map(digest);
  const refused = refusalCounter();
  const refuse = (req: Request, res: Response, error: HttpError) => {
    if (refused.exhausted(req)) {
      res.setHeader('Retry-After', String(refused.secondsLeft(req)));
      return new HttpError('rate_limited', `Too many refused keys: at most ${REFUSED_KEYS_PER_MINUTE} a minute`);
    }
    refused.count(req);
    return error;
  };
  return (req, res, next) => {
    if (known.length === 0) return next();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    if (!match) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="segue"');
      return next(refuse(req, res, new HttpError('unauthorized', 'This needs an API key: Authorization: Bearer <key>')));
    }
    const presented = digest(match[1]!);
    let allowed = false;
    for (const key of known) allowed = timingSafeEqual(key, presented) || allowed;
    if (!allowed) return next(refuse(req, res, new HttpError('forbidden', 'This API key is not allowed to do that')));
    res.locals.apiKeyDigest = presented.toString('hex');
    next();
  };
}
