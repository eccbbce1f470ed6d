import type { z } from 'zod';
import { type EndpointName, endpoints } from '../../functions/core/endpoints.js';
import { ErrorBodySchema } from '../../functions/core/errors.js';
import {
  APIError,
  apiError,
  ConnectionError,
  RateLimitError,
  ResponseValidationError,
  ServiceUnavailableError,
  TimeoutError,
} from './errors.js';

export interface ClientOptions {
  /** the OpenFaaS gateway (or `npm start`'s local one), e.g. `http://127.0.0.1:8080` */
  baseUrl: string;
  /** sent as `Authorization: Bearer …` when the service has API keys configured */
  apiKey?: string | undefined;
  /** milliseconds each request may take before a TimeoutError; uploads have their own (see `tracks.create`) */
  timeout?: number;
  /** how many times an idempotent call is retried on 429, 502–504 or a connection failure */
  maxRetries?: number;
  /** a fetch to use instead of the global one */
  fetch?: typeof fetch;
}

/** What every call takes besides its parameters. */
export interface RequestOptions {
  /** stops the call: it rejects with the signal's reason (not a SegueError), and is not retried */
  signal?: AbortSignal | undefined;
}

export const DEFAULTS = { timeout: 60_000, maxRetries: 2 } as const;
const MAX_BACKOFF_MS = 8_000;
const MAX_RETRY_AFTER_MS = 60_000;

export interface Call {
  endpoint: EndpointName;
  params?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
  /** a JSON body */
  json?: unknown;
  signal?: AbortSignal | undefined;
  /** sent once, never retried: a request that would act twice if an attempt that seemed lost had arrived */
  once?: boolean;
}

/** Builds URLs from the shared endpoint specs, sends requests, retries what is safe to retry, and turns answers into values or errors. */
export class Transport {
  readonly baseUrl: string;
  /** changeable, for a UI where the user enters the key after the client exists */
  apiKey: string | undefined;
  readonly timeout: number;
  readonly maxRetries: number;
  private readonly fetch: typeof fetch;

  constructor(options: ClientOptions) {
    if (!options.baseUrl) throw new TypeError('baseUrl is required, e.g. http://127.0.0.1:8080');
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.apiKey = options.apiKey || undefined;
    this.timeout = options.timeout ?? DEFAULTS.timeout;
    this.maxRetries = options.maxRetries ?? DEFAULTS.maxRetries;
    this.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  url(endpoint: EndpointName, params: Record<string, string> = {}, query: Call['query'] = {}): string {
    const spec = endpoints[endpoint];
    const path = spec.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = params[name];
      if (value === undefined) throw new TypeError(`${endpoint} needs ${name}`);
      return encodeURIComponent(value);
    });
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) search.set(key, String(value));
    const qs = String(search) ? `?${search}` : '';
    return `${this.baseUrl}/function/${spec.function}${path}${qs}`;
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { accept: 'application/json', ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}), ...extra };
  }

  /** A JSON call, answered with the body checked against `schema` (or nothing for 204). */
  async json<S extends z.ZodType>(call: Call, schema: S): Promise<z.infer<S>>;
  async json(call: Call, schema: null): Promise<void>;
  async json(call: Call, schema: z.ZodType | null): Promise<unknown> {
    const spec = endpoints[call.endpoint];
    const init: RequestInit = {
      method: spec.method.toUpperCase(),
      headers: this.headers(call.json === undefined ? {} : { 'content-type': 'application/json' }),
      ...(call.json === undefined ? {} : { body: JSON.stringify(call.json) }),
    };
    const url = this.url(call.endpoint, call.params, call.query);
    const attempt = (signal: AbortSignal | undefined) => this.send(url, { ...init, signal }, this.timeout);
    const response = call.once ? await attempt(call.signal) : await this.withRetries(call.signal, attempt);
    return schema ? readBody(response, schema) : undefined;
  }

  /** One request with a timeout; connection failures and timeouts become SegueErrors, error statuses APIErrors. */
  async send(url: string, init: RequestInit, timeout: number | null, fetchImpl: typeof fetch = this.fetch): Promise<Response> {
    const callerSignal = init.signal ?? undefined;
    // one signal for the caller's abort and the timeout, joined by hand: AbortSignal.any is too new for some browsers
    const combined = new AbortController();
    let timedOut = false;
    const onAbort = () => combined.abort(callerSignal?.reason);
    if (callerSignal?.aborted) onAbort();
    callerSignal?.addEventListener('abort', onAbort, { once: true });
    const timer =
      timeout === null
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            combined.abort(new DOMException('timed out', 'TimeoutError'));
          }, timeout);
    let response: Response;
    try {
      const answered = await fetchImpl(url, { ...init, signal: combined.signal });
      // the body is read under the same timeout: every answer here is a small JSON document
      response = await buffered(answered, url);
    } catch (error) {
      if (callerSignal?.aborted) throw callerSignal.reason;
      if (timedOut) throw new TimeoutError(`No answer from ${url} within ${timeout} ms`);
      throw new ConnectionError(`Could not reach ${url}: ${describeCause(error)}`, { cause: error });
    } finally {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onAbort);
    }
    if (!response.ok) throw await readError(response);
    return response;
  }

  /** Runs `attempt` again after a backoff while it fails in a way a retry can fix. */
  async withRetries<T>(signal: AbortSignal | undefined, attempt: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    for (let retry = 0; ; retry++) {
      try {
        return await attempt(signal);
      } catch (error) {
        if (retry >= this.maxRetries || !isRetryable(error)) throw error;
        await sleep(backoffMs(error, retry), signal);
      }
    }
  }
}

/** A Response made from an answer already read, carrying the URL it came from (a constructed Response has none). */
export function responseOf(body: BodyInit | null, init: ResponseInit & { status: number }, url: string): Response {
  const response = new Response([204, 304].includes(init.status) ? null : body, init);
  Object.defineProperty(response, 'url', { value: url });
  return response;
}

async function buffered(response: Response, url: string): Promise<Response> {
  return responseOf(await response.arrayBuffer(), response, response.url || url);
}

/** No answer (TimeoutError is a ConnectionError), too many requests, or a service that is down or busy for now. */
function isRetryable(error: unknown): boolean {
  return error instanceof ConnectionError || error instanceof RateLimitError || error instanceof ServiceUnavailableError;
}

/** How long to wait before retry number `retry` (from 0): what Retry-After asks for (at most a minute), else 0.5 s doubling to 8 s, ±25 %. */
export function backoffMs(error: unknown, retry: number): number {
  const hinted = error instanceof APIError ? error.retryAfterMs : null;
  if (hinted !== null) return Math.min(hinted, MAX_RETRY_AFTER_MS);
  const exponential = Math.min(500 * 2 ** retry, MAX_BACKOFF_MS);
  return exponential * (0.75 + Math.random() * 0.5);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export async function readBody<S extends z.ZodType>(response: Response, schema: S): Promise<z.infer<S>> {
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    throw new ResponseValidationError(`${response.url} answered ${response.status} without a JSON body`, [], String(error));
  }
  const result = schema.safeParse(body);
  if (!result.success) {
    const where = result.error.issues.map((issue) => issue.path.join('.') || '(body)').join(', ');
    throw new ResponseValidationError(
      `${response.url} answered ${response.status} with a body this client does not understand (at ${where}); is it a Segue service of the same version?`,
      result.error.issues,
      body,
    );
  }
  return result.data;
}

export async function readError(response: Response): Promise<APIError> {
  const text = await response.text().catch(() => '');
  let parsed: ReturnType<typeof ErrorBodySchema.safeParse> | undefined;
  try {
    parsed = ErrorBodySchema.safeParse(JSON.parse(text));
  } catch {
    parsed = undefined;
  }
  if (parsed?.success) {
    const { code, message, details, requestId } = parsed.data.error;
    return apiError({ status: response.status, code, message, details: details ?? {}, headers: response.headers, requestId });
  }
  const excerpt = text.trim().slice(0, 200);
  return apiError({
    status: response.status,
    code: null,
    message: `${response.url} answered ${response.status} ${response.statusText}${excerpt ? `: ${excerpt}` : ''}`,
    headers: response.headers,
  });
}

function describeCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
