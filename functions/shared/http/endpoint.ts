import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { HttpError } from '../errors.js';

type Location = 'params' | 'query' | 'body';

export interface InputSchemas {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
}

type Parsed<S extends InputSchemas, K extends Location> = S[K] extends z.ZodType ? z.output<S[K]> : undefined;

export interface ValidInput<S extends InputSchemas> {
  params: Parsed<S, 'params'>;
  query: Parsed<S, 'query'>;
  body: Parsed<S, 'body'>;
}

/** Per-field messages keyed by the field's path, the way the API reports them in `details.fields`. */
export function fieldErrors(issues: z.core.$ZodIssue[]): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  const add = (path: string, message: string) => (fields[path] ??= []).push(message);
  for (const issue of issues) {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) add(path ? `${path}.${key}` : key, 'is not a field this request takes');
    } else {
      add(path || '(request)', issue.message);
    }
  }
  return fields;
}

/**
 * The boundary between HTTP and a handler: params, query and body are parsed
 * with their schemas, every problem is reported at once as one 400, and the
 * handler only ever sees the parsed values.
 */
export function endpoint<S extends InputSchemas>(
  schemas: S,
  handler: (input: ValidInput<S>, req: Request, res: Response) => Promise<unknown>,
): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const input: Record<string, unknown> = {};
    const issues: z.core.$ZodIssue[] = [];
    for (const location of ['params', 'query', 'body'] as const) {
      const schema = schemas[location];
      if (!schema) continue;
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
