import type { IncomingMessage, ServerResponse } from 'node:http';
import fresh from 'fresh';
import { requestedRange, startBody } from './byte-range.js';

export interface Representation {
  contentType: string;
  etag: string;
  cacheControl: string;
}

/** Sets what describes a response body, then tells whether the client's copy is still good (304). */
export function describeAndCheckFresh(req: IncomingMessage, res: ServerResponse, representation: Representation): boolean {
  res.setHeader('Content-Type', representation.contentType);
  res.setHeader('ETag', representation.etag);
  res.setHeader('Cache-Control', representation.cacheControl);
  if (!req.headers['if-none-match'] || !fresh(req.headers, { etag: representation.etag })) return false;
  res.statusCode = 304;
  res.end();
  return true;
}

/** Bytes held in memory: 304 for a matching If-None-Match, 206 for a range, else 200. */
export function sendBytes(req: IncomingMessage, res: ServerResponse, data: Buffer, representation: Representation): void {
  res.setHeader('Accept-Ranges', 'bytes');
  if (describeAndCheckFresh(req, res, representation)) return;
  const range = requestedRange(req, res, data.length, representation.etag);
  startBody(res, data.length, range);
  res.end(range ? data.subarray(range.start, range.end + 1) : data);
}
