import { type ErrorBody, type ErrorCode, errorStatus } from '../../core/errors.js';
import { Refusal } from '../refusal.js';

/** A refusal at the HTTP edge, with its status: its code, message and details are sent as they are. */
export class HttpError extends Refusal {
  override name = 'HttpError';
  readonly status: number;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(code, message, details, options);
    this.status = errorStatus[code];
  }

  /** A refusal from inside the service, answered with the status its code has in the error table. */
  static of(refusal: Refusal): HttpError {
    return refusal instanceof HttpError ? refusal : new HttpError(refusal.code, refusal.message, refusal.details, { cause: refusal.cause });
  }

  toBody(requestId?: string): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details ? { details: this.details } : {}),
        ...(requestId ? { requestId } : {}),
      },
    };
  }
}

export const notFound = (what: string, details?: Record<string, unknown>) =>
  new HttpError('not_found', `${what} was not found`, details);

export const shuttingDown = () =>
  new HttpError('shutting_down', 'This replica is shutting down; send the request again and another one will take it');
