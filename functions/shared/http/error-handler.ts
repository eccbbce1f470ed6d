import { escapeRegExp } from '../util/escape-regexp.js';
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { HttpError } from './http-error.js';
import { isFailure, sendError, toHttpError } from './json-answer.js';

/** How long a client still sending a refused upload gets to read the refusal before its connection is cut. */
const LINGER_MS = 2000;

/**
 * A request refused before its body was read (a 413 midway): the rest of the
 * body is read and dropped for a moment, as nginx's lingering close does, so
 * the client reads the answer rather than a connection reset; a client still
 * sending after that is cut off.
 */
function lingerThenClose(req: Request): void {
  const cutOff = setTimeout(() => req.socket.destroy(), LINGER_MS);
  req.once('end', () => clearTimeout(cutOff));
  req.once('close', () => clearTimeout(cutOff));
  req.resume();
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const httpError = toHttpError(error);
    // what the client is not told goes to the log, under the request's id
    if (!isFailure(error, httpError) && httpError.cause !== undefined) {
      (req.log ?? logger).info({ err: httpError.cause, code: httpError.code }, 'request refused');
    }
    if (!res.headersSent && !req.complete) lingerThenClose(req);
    sendError(res, error, logger, req.originalUrl);
  };
}

export const routeNotFound: RequestHandler = (req, _res, next) => {
  next(new HttpError('not_found', `There is no ${req.method} ${req.path} here`));
};

const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * A path that exists, asked with a method it does not take: 405 with the
 * methods it does take in `Allow`, where a route miss would answer 404.
 */
export function methodNotAllowed(specs: ReadonlyArray<{ method: string; path: string }>): RequestHandler {
  const routes = specs.map(({ method, path }) => ({
    method: method.toUpperCase(),
    // literal parts as themselves (`master.m3u8`'s dot is a dot), each `{param}` one path segment
    pattern: new RegExp(`^${path.split(/\{\w+\}/).map(escapeRegExp).join('[^/]+')}$`),
  }));
  return (req, res, next) => {
    const methods = new Set(routes.filter((route) => route.pattern.test(req.path)).map((route) => route.method));
    if (methods.size === 0) return next();
    if (methods.has('GET')) methods.add('HEAD');
    methods.add('OPTIONS');
    const allow = METHOD_ORDER.filter((method) => methods.has(method));
    res.setHeader('Allow', allow.join(', '));
    next(new HttpError('method_not_allowed', `${req.method} is not allowed on ${req.path}`, { allow }));
  };
}
