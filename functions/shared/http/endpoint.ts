import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import * as z from 'zod';
import { type EndpointSpec, expressPath } from '../../core/endpoints.js';
import { HttpError } from './http-error.js';
import { fieldErrors } from '../field-errors.js';

type Parsed<T> = T extends z.ZodType ? z.output<T> : undefined;

export interface ValidInput<S extends EndpointSpec> {
  params: Parsed<S['params']>;
  query: Parsed<S['query']>;
  body: Parsed<S['body']>;
}


const requireJson: RequestHandler = (req, _res, next) => {
  next(
    req.is('application/json')
      ? undefined
      : new HttpError('unsupported_media_type', 'Send this as application/json', { contentType: req.get('content-type') ?? null }),
  );
};

/**
 * The boundary between HTTP and a handler: params, query and body are parsed
 * with the endpoint's schemas, every problem is reported at once as one 400,
 * and the handler only ever sees the parsed values.
 */
function validated<S extends EndpointSpec>(
  spec: S,
  handler: (input: ValidInput<S>, req: Request, res: Response) => Promise<unknown>,
): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const input: Record<string, unknown> = {};
    const issues: z.core.$ZodIssue[] = [];
    for (const location of ['params', 'query', 'body'] as const) {
      const schema = spec[location];
      if (!(schema instanceof z.ZodType)) continue;
      const result = schema.safeParse(req[location] ?? {});
      if (result.success) input[location] = result.data;
      else issues.push(...result.error.issues);
    }
    if (issues.length > 0) {
      next(new HttpError('validation_failed', 'The request is not valid', { fields: fieldErrors(issues) }));
      return;
    }
    await handler(input as unknown as ValidInput<S>, req, res);
  };
}

/** Routes an endpoint: its write guards (API key, rate limit) when it writes, a JSON body parser when it takes JSON, then the handler. */
export function mount<S extends EndpointSpec>(
  router: Router,
  spec: S,
  writeGuards: RequestHandler[],
  handler: (input: ValidInput<S>, req: Request, res: Response) => Promise<unknown>,
): void {
  const chain: RequestHandler[] = spec.write ? [...writeGuards] : [];
  if (spec.body instanceof z.ZodType) chain.push(requireJson, express.json({ limit: spec.bodyLimit ?? '16kb' }));
  chain.push(validated(spec, handler));
  router[spec.method](expressPath(spec.path), ...chain);
}
