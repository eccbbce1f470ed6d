import { DetailedError, Upload, type UploadOptions } from 'tus-js-client';
import { DUPLICATE_HEADER, TRACK_HEADER } from '../../functions/core/endpoints.js';
import { REQUEST_ID_HEADER } from '../../functions/core/errors.js';
import type { UploadFields } from '../../functions/core/schemas/track.js';
import { ConnectionError, SegueError } from './errors.js';
import { readError, type Transport } from './transport.js';
import { progressReporter, type UploadProgress, type UploadSource } from './upload-body.js';

/** Files this large and up go resumable by default: a dropped connection then costs seconds, not the whole file again. */
export const RESUMABLE_THRESHOLD_BYTES = 64 * 1024 * 1024;
/** Bytes a PATCH carries: small enough for proxies' body limits and timeouts, large enough to cost few requests. */
export const RESUMABLE_CHUNK_BYTES = 64 * 1024 * 1024;
/** Waits before each retry after a dropped connection or a 5xx: about two minutes in all, for a network that comes back. */
export const RESUMABLE_RETRY_DELAYS_MS = [0, 1_000, 3_000, 5_000, 10_000, 20_000, 30_000, 60_000];

export interface ResumableOptions {
  /** what tus-js-client reads the bytes from (a File or Blob in browsers; a Buffer or fs.ReadStream in Node) */
  input: unknown;
  fields: UploadFields;
  source: UploadSource;
  sha256?: string | undefined;
  onProgress?: ((progress: UploadProgress) => void) | undefined;
  signal?: AbortSignal | undefined;
  chunkSize?: number | undefined;
  retryDelays?: number[] | undefined;
  /** where uploads under way are remembered, to resume one across runs (see tus-js-client's `urlStorage`) */
  urlStorage?: UploadOptions['urlStorage'];
}

export interface ResumedUpload {
  trackId: string;
  duplicate: boolean;
}

/** tus-js-client's failure, as the SDK's errors: the service's JSON error when it answered, a ConnectionError when it did not. */
async function asSegueError(error: Error): Promise<Error> {
  const answered = error instanceof DetailedError ? error.originalResponse : null;
  if (!answered) return new ConnectionError(`The resumable upload failed: ${error.message}`, { cause: error });
  const headers = new Headers();
  for (const name of ['content-type', 'retry-after', REQUEST_ID_HEADER]) {
    const value = answered.getHeader(name);
    if (value) headers.set(name, value);
  }
  return readError(new Response(answered.getBody() || null, { status: answered.getStatus(), headers }));
}

/**
 * Sends a file with the tus 1.0 protocol to the crud function's `/uploads`:
 * created, then sent in PATCHes; after a dropped connection (or a replica
 * gone) it asks where the service got to and sends only the rest, waiting
 * `retryDelays` between tries. Resolves with the track the upload became.
 */
export function sendResumable(transport: Transport, options: ResumableOptions): Promise<ResumedUpload> {
  const { source, fields, signal } = options;
  const report = progressReporter(source.size, options.onProgress);
  const metadata: Record<string, string> = { filename: source.filename };
  if (source.type) metadata.filetype = source.type;
  if (options.sha256) metadata.sha256 = options.sha256;
  for (const [name, value] of Object.entries(fields)) if (value !== undefined) metadata[name] = value;
  return new Promise<ResumedUpload>((resolve, reject) => {
    signal?.throwIfAborted();
    const upload = new Upload(options.input as Blob, {
      endpoint: transport.url('createUpload'),
      headers: transport.headers(),
      metadata,
      chunkSize: options.chunkSize ?? RESUMABLE_CHUNK_BYTES,
      retryDelays: options.retryDelays ?? RESUMABLE_RETRY_DELAYS_MS,
      removeFingerprintOnSuccess: true,
      ...(options.urlStorage ? { urlStorage: options.urlStorage } : {}),
      onProgress: (sent) => report(sent),
      onSuccess: ({ lastResponse }) => {
        const trackId = lastResponse.getHeader(TRACK_HEADER);
        if (!trackId) return reject(new SegueError(`The upload finished but the service named no track (${TRACK_HEADER})`));
        resolve({ trackId, duplicate: lastResponse.getHeader(DUPLICATE_HEADER) === trackId });
      },
      onError: (error) => void asSegueError(error).then(reject, reject),
    });
    signal?.addEventListener(
      'abort',
      () => {
        // the upload stays on the service until it expires: another create of the same file may resume it
        void upload.abort(false);
        reject(signal.reason);
      },
      { once: true },
    );
    // a previous attempt at the same file (the same fingerprint) is resumed rather than sent again
    upload
      .findPreviousUploads()
      .then((previous) => {
        if (previous[0]) upload.resumeFromPreviousUpload(previous[0]);
        upload.start();
      })
      .catch(reject);
  });
}
