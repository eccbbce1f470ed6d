import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpError } from '../errors.js';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Write routes need `Authorization: Bearer <key>` once keys are configured.
 * Keys are compared as fixed-length digests in constant time, and every key is
 * tried, so neither timing nor order tells a caller anything.
 */
export function requireApiKey(apiKeys: readonly string[]): RequestHandler {
  const known = apiKeys.map(digest);
  return (req, res, next) => {
    if (known.length === 0) return next();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    if (!match) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="segue"');
      return next(new HttpError('unauthorized', 'This needs an API key: Authorization: Bearer <key>'));
    }
    const presented = digest(match[1]!);
    let allowed = false;
    for (const key of known) allowed = timingSafeEqual(key, presented) || allowed;
    next(allowed ? undefined : new HttpError('forbidden', 'This API key is not allowed to do that'));
  };
}
