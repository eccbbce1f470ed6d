import type { Request } from 'express';
import { UploadRefused } from './upload-refused.js';
import { fieldErrors } from '../../shared/field-errors.js';
import { newTrackId } from '../../shared/ids.js';
import { type TrackDocument, type UploadFields, UploadFieldsSchema } from '../../core/schemas/track.js';
import { type Accepted, type AcceptOnceServices, acceptOnce } from './accept-once.js';
import { averageBitrate } from '../probe/average-bitrate.js';
import { checkDeclaredDuration } from '../probe/measure-audio.js';
import { type ProbedAudio, probeAudio } from '../probe/probe-audio.js';
import { storeCover } from '../store/store-cover.js';
import { titleFromFilename } from './filename.js';
import { type ReceivedUpload, receiveUpload } from './receive-upload.js';
import type { CrudServices } from '../services.js';

export type IngestServices = AcceptOnceServices &
  Pick<CrudServices, 'tools' | 'originals' | 'covers' | 'removals' | 'uploadLimits' | 'metrics'>;

function newTrack(
  id: string,
  upload: ReceivedUpload,
  fields: UploadFields,
  probed: ProbedAudio,
  coverSizes: number[],
  lease: TrackDocument['lease'],
): TrackDocument {
  const now = new Date();
  return {
    _id: id,
    status: 'processing',
    progress: 0,
    error: null,
    title: fields.title ?? probed.tags.title ?? titleFromFilename(upload.filename),
    artist: fields.artist ?? probed.tags.artist ?? null,
    album: fields.album ?? probed.tags.album ?? null,
    year: probed.tags.year ?? null,
    genre: probed.tags.genre ?? null,
    trackNumber: probed.tags.trackNumber ?? null,
    // the headers' word until the job has decoded the whole file
    durationSec: probed.expectedDurationSec,
    source: {
      filename: upload.filename,
      mimeType: probed.mimeType,
      container: probed.container,
      codec: probed.codec,
      bitrate: averageBitrate(upload.bytes, probed.cover?.data.length ?? 0, probed.expectedDurationSec) ?? probed.bitrate,
      sampleRate: probed.sampleRate,
      channels: probed.channels,
      bitsPerSample: probed.bitsPerSample,
      bytes: upload.bytes,
      sha256: upload.sha256,
    },
    renditions: [],
    loudness: null,
    peaks: [],
    hasCover: coverSizes.length > 0,
    coverSizes,
    createdAt: now,
    updatedAt: now,
    lastAccessedAt: null,
    lease,
  };
}

export function uploadFields(upload: Pick<ReceivedUpload, 'fields'>): UploadFields {
  const fields = UploadFieldsSchema.safeParse(upload.fields);
  if (!fields.success) {
    throw new UploadRefused('validation_failed', 'The upload form is not valid', { fields: fieldErrors(fields.error.issues) });
  }
  return fields.data;
}

/**
 * Turns `POST /tracks` into a processing track as soon as the last byte is in.
 * The body goes to a temp file (which ffmpeg reads) and, as it arrives, to the
 * database as the track's original, so a job that dies can be resumed from
 * the moment the upload is answered; what is left to do then is a probe (415
 * and 422 for what is not audio, or says it is too long), a few writes, and
 * handing the job to the processor, which owns the temp file from there and
 * decodes the whole file while it encodes the ladder. Bytes that are a track
 * already are answered with that track (see `acceptOnce`), and what came of
 * them here is removed. Whatever fails before the track exists leaves nothing
 * behind: what was stored is removed, or, if the database went away
 * meanwhile, noted for the sweeper to remove.
 */
export async function acceptUpload(deps: IngestServices, req: Request): Promise<Accepted> {
  const { originals, covers, removals, uploadLimits } = deps;
  const id = newTrackId();
  // the original's chunks are written from the first byte: the note finds them whatever happens next
  await removals.begin({ _id: id, kind: 'upload', originalBytes: uploadLimits.maxBytes, durationSec: 0 });
  // the note stays young while chunks keep coming: the sweeper only takes notes that have gone quiet
  const original = originals.openWriter(id, () => void removals.touch(id).catch(() => undefined));
  const discardStored = async () => {
    await original.idle();
    const removed = await Promise.allSettled([originals.delete(id, original.written()), covers.delete(id)]);
    if (removed.every((outcome) => outcome.status === 'fulfilled')) await removals.end(id).catch(() => undefined);
  };
  let upload: ReceivedUpload | undefined;
  try {
    upload = await receiveUpload(req, uploadLimits, original.stream);
    const accepted = await ingestReceived(deps, id, upload, uploadFields(upload));
    if (accepted.duplicate) await discardStored();
    return accepted;
  } catch (error) {
    await Promise.allSettled([discardStored(), upload?.dispose()]);
    throw error;
  }
}

/**
 * What every upload, direct or resumable, goes through once all its bytes are
 * in a temp file and in the original's chunks under `id`: the bytes a track
 * holds already are answered with that track (the caller then removes what
 * it stored of them), others are probed and made track `id`.
 */
export const ingestReceived = (deps: IngestServices, id: string, received: ReceivedUpload, fields: UploadFields): Promise<Accepted> =>
  acceptOnce(deps, received, id, () => makeTrack(deps, id, received, fields), deps.uploadLimits.cutOff);

/** Probes the received file and makes it track `id`, its original made visible, its job started. */
async function makeTrack(deps: IngestServices, id: string, received: ReceivedUpload, fields: UploadFields): Promise<TrackDocument> {
  const { tools, tracks, originals, removals, processor, owner, logger, metrics } = deps;
  const { leaseMs, maxDurationSec } = deps.config;
  const receivedAt = performance.now();
  const probed = await metrics.time('probe', () => probeAudio(tools, received.path));
  checkDeclaredDuration(probed, maxDurationSec);
  await metrics.time('store_original', () =>
    originals.seal(id, received.bytes, { filename: received.filename, mimeType: probed.mimeType, sha256: received.sha256 }),
  );
  const coverSizes = await storeCover(deps, id, probed.cover);
  const track = newTrack(id, received, fields, probed, coverSizes, { owner, until: new Date(Date.now() + leaseMs), attempts: 1 });
  await tracks.insert(track);
  // the track exists now; should this fail, the sweeper finds it there and lets the note go
  await removals.end(id).catch((error: unknown) => logger.warn({ err: error, trackId: id }, 'could not clear the note of an upload'));
  logger.info({ trackId: id, bytes: received.bytes, acceptMs: Math.round(performance.now() - receivedAt) }, 'upload accepted');
  processor.start(track, async () => ({ path: received.path, format: probed.format, probed, dispose: received.dispose }), received.dispose);
  return track;
}
