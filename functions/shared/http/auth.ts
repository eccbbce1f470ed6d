import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, MemoryStore, type Options } from 'express-rate-limit';
import { HttpError } from './http-error.js';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Refused keys a minute per client address: guessing keys is slowed to a crawl. */
export const REFUSED_KEYS_PER_MINUTE = 10;

/** Which configured key a request was let in with (a digest, never the key), for per-key limits. */
export const authenticatedKey = (res: Response): string | undefined => res.locals.apiKeyDigest as string | undefined;

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
  // express-rate-limit's store, counting refusals only: a right key must pass whatever the count
  const refusals = new MemoryStore();
  // the store reads nothing of its options but the window
  refusals.init({ windowMs: 60_000 } as Options);
  const refuse = async (req: Request, res: Response, error: HttpError) => {
    const { totalHits, resetTime } = await refusals.increment(ipKeyGenerator(req.ip ?? 'unknown'));
    if (totalHits <= REFUSED_KEYS_PER_MINUTE) return error;
    res.setHeader('Retry-After', String(Math.max(1, Math.ceil(((resetTime?.getTime() ?? Date.now()) - Date.now()) / 1000))));
    return new HttpError('rate_limited', `Too many refused keys: at most ${REFUSED_KEYS_PER_MINUTE} a minute`);
  };
  return (req, res, next) => {
    if (known.length === 0) return next();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    if (!match) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="segue"');
      return void refuse(req, res, new HttpError('unauthorized', 'This needs an API key: Authorization: Bearer <key>')).then(next, next);
    }
    const presented = digest(match[1]!);
    let allowed = false;
    for (const key of known) allowed = timingSafeEqual(key, presented) || allowed;
    if (!allowed) return void refuse(req, res, new HttpError('forbidden', 'This API key is not allowed to do that')).then(next, next);
    res.locals.apiKeyDigest = presented.toString('hex');
    next();
  };
}
