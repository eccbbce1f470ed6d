import {
  APIError,
  AuthenticationError,
  ConnectionError,
  NotFoundError,
  PermissionDeniedError,
  ProcessingError,
  RateLimitError,
  ServiceUnavailableError,
  UploadInProgressError,
  WaitTimeoutError,
} from '../errors.js';

/** What the CLI's exit status means; documented in api-client/README.md. */
export const ExitCode = {
  ok: 0,
  /** a bug, or an answer nobody expected */
  failure: 1,
  /** the command line itself is wrong */
  usage: 2,
  notFound: 3,
  /** no API key, or one the service does not know */
  unauthorized: 4,
  /** the service refused the input: not audio, too large, bad tags */
  rejected: 5,
  /** the upload was accepted but processing failed */
  processingFailed: 6,
  /** could not reach the service, it is overloaded or its database is down: try again later */
  unavailable: 7,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class UsageError extends Error {
  override name = 'UsageError';
}

export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof UsageError) return ExitCode.usage;
  if (error instanceof ProcessingError) return ExitCode.processingFailed;
  if (error instanceof NotFoundError) return ExitCode.notFound;
  if (error instanceof AuthenticationError || error instanceof PermissionDeniedError) return ExitCode.unauthorized;
  // a TimeoutError is a ConnectionError
  if (error instanceof ConnectionError || error instanceof WaitTimeoutError) return ExitCode.unavailable;
  if (error instanceof RateLimitError || error instanceof ServiceUnavailableError || error instanceof UploadInProgressError) return ExitCode.unavailable;
  if (error instanceof APIError && error.status >= 400 && error.status < 500) return ExitCode.rejected;
  if ((error as { code?: string }).code === 'ENOENT') return ExitCode.notFound;
  return ExitCode.failure;
}
