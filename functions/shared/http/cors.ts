import type { IncomingMessage, ServerResponse } from 'node:http';
import vary from 'vary';
import { DUPLICATE_HEADER, TRACK_HEADER } from '../../core/endpoints.js';
import { REQUEST_ID_HEADER } from '../../core/errors.js';

const READ_METHODS = 'GET, HEAD, OPTIONS';
const ALL_METHODS = 'GET, HEAD, POST, PATCH, DELETE, OPTIONS';
/** what a tus client sends and reads (resumable uploads) */
const TUS_REQUEST_HEADERS = 'Tus-Resumable, Upload-Length, Upload-Offset, Upload-Metadata, Upload-Checksum';
const TUS_RESPONSE_HEADERS = 'Tus-Resumable, Tus-Version, Tus-Extension, Tus-Max-Size, Tus-Checksum-Algorithm, Upload-Offset, Upload-Length, Upload-Metadata, Upload-Expires';
const ALLOW_HEADERS = `Authorization, Content-Type, Range, If-None-Match, If-Range, X-Filename, X-Content-SHA256, ${REQUEST_ID_HEADER}, ${TUS_REQUEST_HEADERS}`;
const EXPOSE_HEADERS = `Location, ${DUPLICATE_HEADER}, ${TRACK_HEADER}, ETag, Content-Length, Content-Range, Accept-Ranges, Retry-After, Content-Disposition, ${REQUEST_ID_HEADER}, ${TUS_RESPONSE_HEADERS}`;
const MAX_AGE_SECONDS = '600';

export interface CorsPolicy {
  /** connect-style: answers preflights itself, adds the headers to everything else */
  (req: IncomingMessage, res: ServerResponse, next: () => void): void;
}

/**
 * Browsers play from other origins (a player may be embedded anywhere), and
 * upload from the origins named in CORS_ORIGINS: with `*`, any page may read,
 * but preflights allow write methods only to a named origin (writes from other
 * pages are refused outright, see write-intent.ts). The headers are worked out
 * once, not per request: this runs before every segment the stream function
 * serves.
 */
export function corsPolicy(origins: '*' | string[]): CorsPolicy {
  const allowed = origins === '*' ? undefined : new Set(origins);
  const allowOrigin = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (!allowed) {
      res.setHeader('Access-Control-Allow-Origin', '*');
      return true;
    }
    vary(res, 'Origin');
    const origin = req.headers.origin;
    if (!origin || !allowed.has(origin)) return false;
    res.setHeader('Access-Control-Allow-Origin', origin);
    return true;
  };
  return (req, res, next) => {
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      if (allowOrigin(req, res)) {
        res.setHeader('Access-Control-Allow-Methods', allowed ? ALL_METHODS : READ_METHODS);
        res.setHeader('Access-Control-Allow-Headers', ALLOW_HEADERS);
        res.setHeader('Access-Control-Max-Age', MAX_AGE_SECONDS);
      }
      res.statusCode = 204;
      res.setHeader('Content-Length', '0');
      res.end();
      return;
    }
    if (allowOrigin(req, res)) res.setHeader('Access-Control-Expose-Headers', EXPOSE_HEADERS);
    next();
  };
}
