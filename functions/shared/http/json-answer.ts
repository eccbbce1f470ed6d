import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { retryAfterSeconds } from '../../core/errors.js';
import { Refusal } from '../refusal.js';
import { HttpError } from './http-error.js';
import { answeredRequestId } from './request-id.js';
import { isDatabaseUnreachable } from '../storage/database.js';

/** Maps anything thrown to the error the client should see; internals never leave the service. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof Refusal) return HttpError.of(error);
  if (isDatabaseUnreachable(error)) {
    return new HttpError('database_unavailable', 'The database is not reachable; try again shortly');
  }
  const type = (error as { type?: unknown } | null)?.type;
  if (type === 'entity.parse.failed') return new HttpError('invalid_json', 'The body is not valid JSON');
  if (type === 'entity.too.large') return new HttpError('payload_too_large', 'The body is too large');
  return new HttpError('internal_error', 'Something went wrong on our side');
}

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
  return answered.status >= 500 && !(error instanceof Refusal && retryAfterSeconds[answered.code] !== undefined);
}

/** When to ask again, for a refusal that passes. */
export function setRetryAfter(res: ServerResponse, error: HttpError): void {
  const seconds = retryAfterSeconds[error.code];
  if (seconds !== undefined) res.setHeader('Retry-After', String(seconds));
}

const REPRESENTATION_HEADERS = ['Content-Type', 'Content-Length', 'Content-Encoding', 'Content-Disposition', 'ETag', 'Accept-Ranges', 'Vary'];

/** The JSON error every function answers with; what was set for the body that was meant to be sent goes. */
export function sendError(res: ServerResponse, error: unknown, logger: Logger, url: string | undefined): void {
  const httpError = toHttpError(error);
  const requestId = answeredRequestId(res);
  if (isFailure(error, httpError)) logger.error({ err: error, url, requestId }, 'request failed');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const header of REPRESENTATION_HEADERS) res.removeHeader(header);
  setRetryAfter(res, httpError);
  sendJson(res, httpError.status, httpError.toBody(requestId));
}
