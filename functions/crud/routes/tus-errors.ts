import { type ErrorCode } from '../../core/errors.js';
import { HttpError } from '../../shared/http/http-error.js';
import { toHttpError } from '../../shared/http/json-answer.js';
import { Refusal } from '../../shared/refusal.js';

/** The library's refusals by status, as the service's error codes. */
const CODE_OF_STATUS: Record<number, ErrorCode> = {
  400: 'validation_failed',
  403: 'forbidden',
  404: 'not_found',
  409: 'upload_offset_mismatch',
  410: 'upload_expired',
  412: 'tus_version_unsupported',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  460: 'upload_checksum_mismatch',
  503: 'service_busy',
};

const isTusError = (error: unknown): error is { status_code: number; body: string } =>
  typeof (error as { status_code?: unknown } | null)?.status_code === 'number';

/** A tus refusal (a status and a line of text) or anything thrown on its way, as the error the client sees. */
export function tusHttpError(error: unknown): HttpError {
  if (error instanceof Refusal || !isTusError(error)) return toHttpError(error);
  const code = CODE_OF_STATUS[error.status_code] ?? 'internal_error';
  return new HttpError(code, error.body.trim() || code, { tusStatus: error.status_code });
}
