import { type ErrorBody, type ErrorCode, errorStatus } from '../../core/errors.js';

/** An error meant for the client: its code, message and details are sent as they are. */
export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number;

  /** `cause` is for the log: what went wrong inside, which the client never sees */
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.status = errorStatus[code];
  }

  toBody(): ErrorBody {
    return {
      error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) },
    };
  }
}

export const notFound = (what: string, details?: Record<string, unknown>) =>
  new HttpError('not_found', `${what} was not found`, details);

export const shuttingDown = () =>
  new HttpError('shutting_down', 'This replica is shutting down; send the request again and another one will take it');
