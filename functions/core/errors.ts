import * as z from 'zod';

/** Every error code the service answers with, and its HTTP status. */
export const errorStatus = {
  validation_failed: 400,
  invalid_json: 400,
  empty_upload: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  track_not_ready: 409,
  track_failed: 409,
  track_not_failed: 409,
  upload_in_progress: 409,
  upload_offset_mismatch: 409,
  upload_expired: 410,
  already_in_playlist: 409,
  playlist_changed: 409,
  tus_version_unsupported: 412,
  payload_too_large: 413,
  range_not_satisfiable: 416,
  unsupported_media_type: 415,
  undecodable_audio: 422,
  truncated_audio: 422,
  too_long: 422,
  checksum_mismatch: 422,
  unknown_tracks: 422,
  too_many_tracks: 422,
  rate_limited: 429,
  upload_checksum_mismatch: 460,
  internal_error: 500,
  database_unavailable: 503,
  service_busy: 503,
  shutting_down: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

/** How long a client should wait before asking again, for the refusals that pass (the `Retry-After` header). */
export const retryAfterSeconds: Partial<Record<ErrorCode, number>> = {
  // a player polls a track still being processed
  track_not_ready: 2,
  upload_in_progress: 5,
  database_unavailable: 5,
  service_busy: 30,
  // another replica takes the request as soon as this one has left the rotation
  shutting_down: 2,
};

export const ErrorCodeSchema = z.enum(Object.keys(errorStatus) as [ErrorCode, ...ErrorCode[]]);

export const ErrorBodySchema = z.object({
  error: z.object({
    code: ErrorCodeSchema,
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
    /** the request's id, as in its `X-Request-Id` answer header and the service's logs: quote it when reporting a problem */
    requestId: z.string().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** Names each request in the answer, the logs and error bodies; a caller's own (a safe one) is kept. */
export const REQUEST_ID_HEADER = 'X-Request-Id';
