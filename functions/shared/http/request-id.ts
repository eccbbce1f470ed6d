import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { REQUEST_ID_HEADER } from '../../core/errors.js';

/** A caller's id is kept only when it is safe to log and send back: short, letters, digits and `._:-`. */
const SAFE_ID = /^[\w.:-]{1,128}$/;

/**
 * The request's id, set on its answer as `X-Request-Id`: the one given it
 * already, else the caller's (`X-Request-Id`, or the `X-Call-Id` the OpenFaaS
 * gateway adds), else a new one.
 */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = answeredRequestId(res);
  if (given) return given;
  const callers = [req.headers['x-request-id'], req.headers['x-call-id']];
  const id = callers.find((value): value is string => typeof value === 'string' && SAFE_ID.test(value)) ?? randomUUID();
  res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

/** The id already set on an answer, if any. */
export function answeredRequestId(res: ServerResponse): string | undefined {
  const id = res.getHeader(REQUEST_ID_HEADER);
  return typeof id === 'string' ? id : undefined;
}

const handling = new AsyncLocalStorage<string>();

/** The id of the request whose handling this code is part of, if any: every log line carries it. */
export const currentRequestId = (): string | undefined => handling.getStore();

/** Runs the rest of a request's handling (`next`) as part of that request, named by its id. */
export function withRequestId(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  handling.run(requestId(req, res), next);
}
