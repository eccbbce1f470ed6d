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

export interface JsonAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A JSON answer no cache keeps: errors, and the health checks. */
function jsonAnswer(status: number, body: unknown): JsonAnswer {
  const text = JSON.stringify(body);
  return {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': String(Buffer.byteLength(text)) },
    body: text,
  };
}

/** What an error is answered with, wherever it is written: its status, its JSON body naming the request, and when to ask again for a refusal that passes. */
export function errorAnswer(error: HttpError, requestId: string | undefined): JsonAnswer {
  const answer = jsonAnswer(error.status, error.toBody(requestId));
  const seconds = retryAfterSeconds[error.code];
  if (seconds !== undefined) answer.headers['Retry-After'] = String(seconds);
  return answer;
}

export function writeAnswer(res: ServerResponse, { status, headers, body }: JsonAnswer): void {
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.end(body);
}

export const sendJson = (res: ServerResponse, status: number, body: unknown): void => writeAnswer(res, jsonAnswer(status, body));

/** A 5xx that went wrong, as opposed to one the service chose to answer (starting, busy, shutting down). */
export function isFailure(error: unknown, answered: HttpError): boolean {
  return answered.status >= 500 && !(error instanceof Refusal && retryAfterSeconds[answered.code] !== undefined);
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
  writeAnswer(res, errorAnswer(httpError, requestId));
}
