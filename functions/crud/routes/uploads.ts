import { type NextFunction, type Request, type Response, Router } from 'express';
import { MemoryLocker, Server } from '@tus/server';
import type { Upload } from '@tus/utils';
import { NodeRequest, sendNodeResponse } from 'srvx/node';
import { DUPLICATE_HEADER, endpoints, expressPath, TRACK_HEADER } from '../../core/endpoints.js';
import { ErrorBodySchema, REQUEST_ID_HEADER } from '../../core/errors.js';
import { HttpError } from '../../shared/http/http-error.js';
import { fieldErrors } from '../../shared/field-errors.js';
import { errorAnswer, isFailure } from '../../shared/http/json-answer.js';
import { answeredRequestId } from '../../shared/http/request-id.js';
import { newTrackId } from '../../shared/ids.js';
import { ResumableMetadataSchema, TrackIdSchema } from '../../core/schemas/track.js';
import { ChunkDataStore } from '../receive/resumable/chunk-data-store.js';
import { type FinishedUpload, finishUpload } from '../receive/resumable/finish-upload.js';
import { tusHttpError } from './tus-errors.js';
import { CHECKSUM_ALGORITHMS, parseUploadChecksum, patchChecksum } from '../receive/resumable/upload-checksum.js';
import { cleanFilename } from '../receive/filename.js';
import { watchUploadPace } from '../receive/upload-pace.js';
import type { CrudServices } from '../services.js';

/** The headers a finished upload is answered with: where its track is, relative to `uploads/<id>`. */
function trackHeaders({ trackId, duplicate }: FinishedUpload): Record<string, string> {
  return { Location: `../tracks/${trackId}`, [TRACK_HEADER]: trackId, ...(duplicate ? { [DUPLICATE_HEADER]: trackId } : {}) };
}

/** An upload's id from its URL; anything else is an upload that does not exist. */
const uploadId = (segment: unknown): string | undefined => {
  const parsed = TrackIdSchema.safeParse(segment);
  return parsed.success ? parsed.data : undefined;
};

/** `Upload-Metadata` is the client's to write: checked like a form, the file name cleaned like a direct upload's. */
function checkedMetadata(upload: Upload): Record<string, string> {
  const parsed = ResumableMetadataSchema.safeParse(upload.metadata ?? {});
  if (!parsed.success) {
    throw new HttpError('validation_failed', 'Upload-Metadata is not valid', { fields: fieldErrors(parsed.error.issues) });
  }
  const { filename, ...rest } = parsed.data;
  return { ...rest, filename: cleanFilename(filename) };
}

/**
 * Resumable uploads with the tus 1.0 protocol (core, creation, termination,
 * checksum and expiration), through @tus/server with a data store of our own
 * on the database, behind the same guards as direct uploads. A finished
 * upload goes through the same ingest as `POST /tracks`, and its final PATCH
 * (and any HEAD after it) names the track.
 */
export function uploadRoutes(deps: CrudServices): Router {
  const { writeGuards, logger, uploadLimits } = deps;
  const datastore = new ChunkDataStore(deps);
  const tus = new Server({
    path: endpoints.createUpload.path,
    datastore,
    locker: new MemoryLocker(),
    maxSize: uploadLimits.maxBytes,
    // relative to the creation URL, so it holds behind any gateway prefix
    generateUrl: (_req, { id }) => `uploads/${id}`,
    getFileIdFromRequest: (_req, lastPath) => uploadId(lastPath),
    namingFunction: () => newTrackId(),
    disableTerminationForFinishedUploads: true,
    ...(deps.config.corsOrigins === '*' ? {} : { allowedOrigins: deps.config.corsOrigins }),
    allowedHeaders: ['Authorization', 'Upload-Checksum', REQUEST_ID_HEADER],
    exposedHeaders: ['Location', TRACK_HEADER, DUPLICATE_HEADER, REQUEST_ID_HEADER, 'Retry-After', 'Tus-Checksum-Algorithm', 'Upload-Expires'],
    onUploadCreate: async (_req, upload) => ({ metadata: checkedMetadata(upload) }),
    onUploadFinish: async (req, upload) => {
      const finished = await finishUpload(deps, upload.id, req.signal);
      return finished ? { headers: trackHeaders(finished) } : {};
    },
    onResponseError: (_req, error) => {
      const httpError = tusHttpError(error);
      if (isFailure(error, httpError)) logger.error({ err: error }, 'resumable upload request failed');
      return { status_code: httpError.status, body: JSON.stringify(httpError.toBody()) };
    },
  });

  /** Hands the request to tus, and its answer back as the service answers: JSON errors, the track once finished. */
  const handle = async (req: Request, res: Response) => {
    // a malformed id is a bad request before it is anything the protocol says
    if (req.params.id !== undefined && !uploadId(req.params.id)) {
      throw new HttpError('validation_failed', 'The request is not valid', { fields: { id: ['an upload id is 12 letters and digits'] } });
    }
    const checksum = req.method === 'PATCH' ? parseUploadChecksum(req.get('upload-checksum')) : undefined;
    if (req.method === 'PATCH' && !req.is('application/offset+octet-stream')) {
      throw new HttpError('unsupported_media_type', 'A PATCH carries application/offset+octet-stream', { contentType: req.get('content-type') ?? null });
    }
    // a client that lost the final PATCH's answer learns the track here, and a finish cut short is finished
    const id = req.method === 'HEAD' ? uploadId(req.params.id) : undefined;
    // waiting on a finish another replica holds stops when the client is gone
    const clientGone = new AbortController();
    res.once('close', () => clientGone.abort());
    const finished = id
      ? await finishUpload(deps, id, clientGone.signal).catch((error: unknown) => {
          if (clientGone.signal.aborted) return 'gone' as const;
          throw error;
        })
      : null;
    if (finished === 'gone') return;
    const stopWatching = req.method === 'PATCH' ? watchUploadPace(req, uploadLimits.pace, () => req.destroy()) : () => {};
    try {
      const answer = await patchChecksum.run(checksum, () => tus.handleWeb(new NodeRequest({ req, res })));
      if (finished && answer.ok) for (const [name, value] of Object.entries(trackHeaders(finished))) answer.headers.set(name, value);
      if (req.method === 'OPTIONS') answer.headers.set('Tus-Checksum-Algorithm', CHECKSUM_ALGORITHMS.join(','));
      await sendNodeResponse(res, answer.status >= 400 ? await asJsonError(answer, answeredRequestId(res)) : answer);
    } finally {
      stopWatching();
    }
  };

  const router = Router();
  const { uploadCapabilities, createUpload, uploadOffset, appendUpload, terminateUpload } = endpoints;
  for (const spec of [uploadCapabilities, createUpload, uploadOffset, appendUpload, terminateUpload]) {
    const guards = 'write' in spec ? writeGuards : [];
    router[spec.method](expressPath(spec.path), ...guards, (req: Request, res: Response, next: NextFunction) => void handle(req, res).catch(next));
  }
  return router;
}

/**
 * The library writes a few refusals as text before any hook runs (a missing
 * Tus-Resumable, a bad header): they become JSON too. Every one names the request.
 */
async function asJsonError(answer: globalThis.Response, requestId: string | undefined): Promise<globalThis.Response> {
  const text = await answer.text();
  const parsed = text.startsWith('{') ? ErrorBodySchema.safeParse(JSON.parse(text)) : null;
  const error = parsed?.success ? new HttpError(parsed.data.error.code, parsed.data.error.message, parsed.data.error.details) : tusHttpError({ status_code: answer.status, body: text });
  const json = errorAnswer(error, requestId);
  const headers = new Headers(answer.headers);
  for (const [name, value] of Object.entries(json.headers)) headers.set(name, value);
  return new Response(json.body, { status: answer.status, headers });
}
