import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { HttpError, retryAfterSeconds } from '../errors.js';
import { toHttpError } from './error-handler.js';

/** A JSON answer no cache keeps: errors, and the health checks. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/** A 5xx that went wrong, as opposed to one the service chose to answer (starting, busy, shutting down). */
export function isFailure(error: unknown, answered: HttpError): boolean {
  return answered.status >= 500 && !(error instanceof HttpError && retryAfterSeconds[error.code] !== undefined);
}

/** When to ask again, for a refusal that passes. */
export function setRetryAfter(res: ServerResponse, error: HttpError): void {
  const seconds = retryAfterSeconds[error.code];
  if (seconds !== undefined) res.setHeader('Retry-After', String(seconds));
}

const REPRESENTATION_HEADERS = ['Content-Type', 'Content-Length', 'Content-Encoding', 'Content-Disposition', 'ETag', 'Accept-Ranges', 'Vary'];

/** The JSON error every function answers with, outside Express; what was set for the body that was meant to be sent goes. */
export function sendError(res: ServerResponse, error: unknown, logger: Logger, url: string | undefined): void {
  const httpError = toHttpError(error);
  if (isFailure(error, httpError)) logger.error({ err: error, url }, 'request failed');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const header of REPRESENTATION_HEADERS) res.removeHeader(header);
  setRetryAfter(res, httpError);
  sendJson(res, httpError.status, httpError.toBody());
}
