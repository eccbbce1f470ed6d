import { type ErrorCode, retryAfterSeconds } from '../core/errors.js';

/**
 * What the service refuses, said in its own terms: a code from the error
 * table, a message the client may read, and details. Modules throw their own
 * kinds; the HTTP edge alone turns them into statuses (`toHttpError`).
 */
export class Refusal<Code extends ErrorCode = ErrorCode> extends Error {
  override name = 'Refusal';

  /** `cause` is for the log: what went wrong inside, which the client never sees */
  constructor(
    readonly code: Code,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** This replica has as much work as it takes (uploads, disk, tracks): another one takes the request, or this one shortly. */
export const busy = (what: string) =>
  new Refusal('service_busy', `This replica is busy (${what}); try again shortly`, { retryAfterSeconds: retryAfterSeconds.service_busy });
