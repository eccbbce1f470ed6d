import type { IncomingMessage, ServerResponse } from 'node:http';
import fresh from 'fresh';
import type { Logger } from 'pino';
import { toHttpError } from '../../shared/http/error-handler.js';
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

const REPRESENTATION_HEADERS = ['Content-Type', 'Content-Length', 'Content-Encoding', 'Content-Disposition', 'ETag', 'Accept-Ranges', 'Vary'];

/** The JSON error every function answers with; what was set for the body that was meant to be sent goes. */
export function sendError(res: ServerResponse, error: unknown, logger: Logger, url: string | undefined): void {
  const httpError = toHttpError(error);
  if (httpError.status >= 500) logger.error({ err: error, url }, 'request failed');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const header of REPRESENTATION_HEADERS) res.removeHeader(header);
  if (httpError.code === 'database_unavailable') res.setHeader('Retry-After', '5');
  sendJson(res, httpError.status, httpError.toBody());
}

/** A JSON answer no cache keeps: errors, and the health check. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
