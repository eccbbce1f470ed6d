import type { z } from 'zod';
import { type ErrorCode, REQUEST_ID_HEADER } from '../../functions/core/errors.js';
import type { Track } from '../../functions/core/schemas/track.js';

/** Every error this client throws (besides the caller's own abort reason) is a SegueError. */
export class SegueError extends Error {
  override name = 'SegueError';
}

export interface APIErrorInit {
  status: number;
  /** the server's machine-readable code; null when the answer was not a Segue error body (a proxy's page, say) */
  code: ErrorCode | null;
  message: string;
  details?: Record<string, unknown>;
  headers: Headers;
  /** the request id the error body carried (`error.requestId`); an `X-Request-Id` header wins over it */
  requestId?: string | null | undefined;
}

/** The server answered with an error status. Catch a subclass to handle one kind. */
export class APIError extends SegueError {
  override name = 'APIError';
  readonly status: number;
  readonly code: ErrorCode | null;
  readonly details: Record<string, unknown>;
  readonly headers: Headers;
  /**
   * The id the service gave the request (its `X-Request-Id` answer header, else the error body's
   * `requestId`), as in its logs: quote it when reporting a problem. Null when the answer carried none
   * (an older service, or a proxy's page).
   */
  readonly requestId: string | null;

  constructor(init: APIErrorInit) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? {};
    this.headers = init.headers;
    this.requestId = init.headers.get(REQUEST_ID_HEADER) || init.requestId || null;
  }

  /**
   * How long the server asked to wait before trying again (Retry-After), when it said.
   *
   * @example
   * if (error instanceof UploadInProgressError) await new Promise((resolve) => setTimeout(resolve, error.retryAfterMs ?? 5_000));
   */
  get retryAfterMs(): number | null {
    return retryAfterMs(this.headers);
  }
}

export class BadRequestError extends APIError {
  override name = 'BadRequestError';
}

/** 400 `validation_failed`: `fields` maps each bad parameter or field to what is wrong with it. */
export class ValidationError extends BadRequestError {
  override name = 'ValidationError';
  constructor(init: APIErrorInit) {
    super(init);
    const problems = Object.entries(this.fields).map(([field, messages]) => `${field}: ${messages.join(', ')}`);
    if (problems.length) this.message = `${init.message} (${problems.join('; ')})`;
  }
  /**
   * Each bad parameter or field, with what is wrong with it.
   *
   * @example
   * if (error instanceof ValidationError) for (const [field, problems] of Object.entries(error.fields)) console.log(field, problems.join(', '));
   */
  get fields(): Record<string, string[]> {
    const fields = this.details.fields;
    return typeof fields === 'object' && fields !== null ? (fields as Record<string, string[]>) : {};
  }
}
export class InvalidJsonError extends BadRequestError {
  override name = 'InvalidJsonError';
}
export class EmptyUploadError extends BadRequestError {
  override name = 'EmptyUploadError';
}
/** 401: a write came without an API key. */
export class AuthenticationError extends APIError {
  override name = 'AuthenticationError';
}
/** 403: the API key is not one the service knows. */
export class PermissionDeniedError extends APIError {
  override name = 'PermissionDeniedError';
}
export class NotFoundError extends APIError {
  override name = 'NotFoundError';
}
export class MethodNotAllowedError extends APIError {
  override name = 'MethodNotAllowedError';
}
export class ConflictError extends APIError {
  override name = 'ConflictError';
}
export class TrackNotReadyError extends ConflictError {
  override name = 'TrackNotReadyError';
}
export class TrackFailedError extends ConflictError {
  override name = 'TrackFailedError';
}
/** 409: only a failed track is processed again. */
export class TrackNotFailedError extends ConflictError {
  override name = 'TrackNotFailedError';
}
/** 409: the same file is being uploaded right now and its track is not there yet; `retryAfterMs` says when to send it again. */
export class UploadInProgressError extends ConflictError {
  override name = 'UploadInProgressError';
}
/** A resumable upload was sent from another offset than the server holds: ask it (HEAD) and go on from there. */
export class UploadOffsetMismatchError extends ConflictError {
  override name = 'UploadOffsetMismatchError';
}
/** A resumable upload outlived UPLOAD_EXPIRY_HOURS and was removed: start again. */
export class UploadExpiredError extends APIError {
  override name = 'UploadExpiredError';
}
/** A part of a resumable upload did not match its Upload-Checksum: none of it was kept. */
export class UploadChecksumMismatchError extends APIError {
  override name = 'UploadChecksumMismatchError';
}
/** 409: the playlist holds some of these tracks already (`details.trackIds` names them); a track is in a playlist once. */
export class AlreadyInPlaylistError extends ConflictError {
  override name = 'AlreadyInPlaylistError';
}
/** A playlist's media playlist asked for as a version the playlist no longer is: read its master again. */
export class PlaylistChangedError extends ConflictError {
  override name = 'PlaylistChangedError';
}
/** A resumable upload's request without `Tus-Resumable: 1.0.0`. */
export class TusVersionError extends APIError {
  override name = 'TusVersionError';
}
export class PayloadTooLargeError extends APIError {
  override name = 'PayloadTooLargeError';
}
export class UnsupportedMediaTypeError extends APIError {
  override name = 'UnsupportedMediaTypeError';
}
export class RangeNotSatisfiableError extends APIError {
  override name = 'RangeNotSatisfiableError';
}
/** 422: the bytes arrived but are not usable audio, or not the bytes the checksum promised. */
export class UnprocessableEntityError extends APIError {
  override name = 'UnprocessableEntityError';
}
export class UndecodableAudioError extends UnprocessableEntityError {
  override name = 'UndecodableAudioError';
}
export class TruncatedAudioError extends UnprocessableEntityError {
  override name = 'TruncatedAudioError';
}
export class TooLongError extends UnprocessableEntityError {
  override name = 'TooLongError';
}
export class ChecksumMismatchError extends UnprocessableEntityError {
  override name = 'ChecksumMismatchError';
}
/** 422: some ids are not tracks in the library; `details.trackIds` names them. */
export class UnknownTracksError extends UnprocessableEntityError {
  override name = 'UnknownTracksError';
}
/** 422: a playlist holds at most 1,000 tracks; `details.count` is how many it would have held. */
export class TooManyTracksError extends UnprocessableEntityError {
  override name = 'TooManyTracksError';
}
/** 429: too many writes; `retryAfterMs` says when to try again. */
export class RateLimitError extends APIError {
  override name = 'RateLimitError';
}
export class InternalServerError extends APIError {
  override name = 'InternalServerError';
}
/** 503 (the database is unreachable, or the replica has as much work as it takes), or a gateway in front that could not reach the function. */
export class ServiceUnavailableError extends APIError {
  override name = 'ServiceUnavailableError';
}
export class ServiceBusyError extends ServiceUnavailableError {
  override name = 'ServiceBusyError';
}
/** 503: the replica is shutting down (a rollout, a scale-down); another one takes the request when it is sent again. */
export class ShuttingDownError extends ServiceUnavailableError {
  override name = 'ShuttingDownError';
}
/** 408: the upload stopped arriving, or arrived too slowly. */
export class RequestTimeoutError extends APIError {
  override name = 'RequestTimeoutError';
}

type APIErrorClass = new (init: APIErrorInit) => APIError;

/** One class per code the server can send; the type makes a new server code fail to compile here. */
const classByCode: Record<ErrorCode, APIErrorClass> = {
  validation_failed: ValidationError,
  invalid_json: InvalidJsonError,
  empty_upload: EmptyUploadError,
  unauthorized: AuthenticationError,
  forbidden: PermissionDeniedError,
  not_found: NotFoundError,
  method_not_allowed: MethodNotAllowedError,
  request_timeout: RequestTimeoutError,
  track_not_ready: TrackNotReadyError,
  track_failed: TrackFailedError,
  track_not_failed: TrackNotFailedError,
  upload_in_progress: UploadInProgressError,
  upload_offset_mismatch: UploadOffsetMismatchError,
  upload_expired: UploadExpiredError,
  upload_checksum_mismatch: UploadChecksumMismatchError,
  already_in_playlist: AlreadyInPlaylistError,
  playlist_changed: PlaylistChangedError,
  tus_version_unsupported: TusVersionError,
  payload_too_large: PayloadTooLargeError,
  range_not_satisfiable: RangeNotSatisfiableError,
  unsupported_media_type: UnsupportedMediaTypeError,
  undecodable_audio: UndecodableAudioError,
  truncated_audio: TruncatedAudioError,
  too_long: TooLongError,
  checksum_mismatch: ChecksumMismatchError,
  unknown_tracks: UnknownTracksError,
  too_many_tracks: TooManyTracksError,
  rate_limited: RateLimitError,
  internal_error: InternalServerError,
  database_unavailable: ServiceUnavailableError,
  service_busy: ServiceBusyError,
  shutting_down: ShuttingDownError,
};

/** For answers without a Segue error body: the class its status alone implies. */
const classByStatus: Record<number, APIErrorClass> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  405: MethodNotAllowedError,
  409: ConflictError,
  413: PayloadTooLargeError,
  415: UnsupportedMediaTypeError,
  416: RangeNotSatisfiableError,
  408: RequestTimeoutError,
  422: UnprocessableEntityError,
  429: RateLimitError,
  500: InternalServerError,
  502: ServiceUnavailableError,
  503: ServiceUnavailableError,
  504: ServiceUnavailableError,
};

/**
 * The error for an answer with an error status: the class of its code, else
 * the class its status implies (any other 5xx is an InternalServerError),
 * else a plain APIError. What the client throws; exported for code that reads
 * answers itself.
 *
 * @example
 * const error = apiError({ status: 404, code: 'not_found', message: 'No track AAAAAAAAAAAA', headers: response.headers });
 * error instanceof NotFoundError; // true
 */
export function apiError(init: APIErrorInit): APIError {
  const byStatus = classByStatus[init.status] ?? (init.status >= 500 ? InternalServerError : APIError);
  const ErrorClass = (init.code && classByCode[init.code]) || byStatus;
  return new ErrorClass(init);
}

/** The request never got an answer: refused, reset, DNS, CORS, or none in time (TimeoutError). */
export class ConnectionError extends SegueError {
  override name = 'ConnectionError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** No answer within the client's `timeout`: a ConnectionError, retried like one. */
export class TimeoutError extends ConnectionError {
  override name = 'TimeoutError';
}

/**
 * A track was not ready (or playable) within the `timeout` of `waitUntilReady`
 * or `waitUntilPlayable` (or `create`'s `waitTimeout`). The service answered
 * every poll, so this is no ConnectionError: the track is still processing.
 */
export class WaitTimeoutError extends SegueError {
  override name = 'WaitTimeoutError';
}

/** The server answered with a success the client cannot read: it is not the Segue this client was built for. */
export class ResponseValidationError extends SegueError {
  override name = 'ResponseValidationError';
  constructor(
    message: string,
    readonly issues: z.core.$ZodIssue[],
    readonly body: unknown,
  ) {
    super(message);
  }
}

/** The upload was accepted but the track could not be made playable; `track.error` says why. */
export class ProcessingError extends SegueError {
  override name = 'ProcessingError';
  constructor(readonly track: Track) {
    super(`Track ${track.id} failed: ${track.error?.message ?? 'no reason given'}`);
  }
}

/**
 * `Retry-After` in seconds or as an HTTP date, in milliseconds from now; null without one (or with one that is neither).
 *
 * @example
 * retryAfterMs(new Headers({ 'retry-after': '5' })); // 5000
 */
export function retryAfterMs(headers: Headers): number | null {
  const value = headers.get('retry-after');
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}
