import type { Logger } from 'pino';
import { newTrackId } from '../../shared/ids.js';
import type { IngestMetrics } from '../../shared/metrics/ingest-metrics.js';
import type { TrackDocument, UploadFields } from '../../shared/schemas/track.js';
import type { CoverStore } from '../../shared/storage/cover-store.js';
import type { OriginalStore } from '../../shared/storage/original-store.js';
import type { RemovalStore } from '../../shared/storage/removal-store.js';
import type { TrackStore } from '../../shared/storage/track-store.js';
import type { TrackProcessor } from '../jobs/track-processor.js';
import type { MediaTools } from '../media/media-tools.js';
import { runTogether } from '../../shared/util/run-together.js';
import { averageBitrate } from '../probe/average-bitrate.js';
import { measureAudio } from '../probe/measure-audio.js';
import { type ProbedAudio, probeAudio } from '../probe/probe-audio.js';
import type { ReceivedUpload } from '../upload/receive-upload.js';
import { titleFromFilename } from '../upload/filename.js';
import type { Measurement } from '../probe/measure-audio.js';

export interface IngestDeps {
  tools: MediaTools;
  tracks: TrackStore;
  originals: OriginalStore;
  covers: CoverStore;
  removals: RemovalStore;
  processor: TrackProcessor;
  owner: string;
  leaseMs: number;
  /** longest audio accepted, in seconds */
  maxDurationSec: number;
  logger: Logger;
  metrics: IngestMetrics;
}

function newTrack(
  id: string,
  upload: ReceivedUpload,
  fields: UploadFields,
  probed: ProbedAudio,
  measured: Measurement,
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
    durationSec: measured.durationSec,
    source: {
      filename: upload.filename,
      mimeType: probed.mimeType,
      container: probed.container,
      codec: probed.codec,
      bitrate: averageBitrate(upload.bytes, probed.cover?.data.length ?? 0, measured.durationSec) ?? probed.bitrate,
      sampleRate: probed.sampleRate,
      channels: probed.channels,
      bitsPerSample: probed.bitsPerSample,
      bytes: upload.bytes,
      sha256: upload.sha256,
    },
    renditions: [],
    loudness: null,
    peaks: measured.peaks,
    hasCover: probed.cover !== undefined,
    createdAt: now,
    updatedAt: now,
    lastAccessedAt: null,
    lease,
  };
}

/**
 * Turns a received upload into a processing track: probe (415/422 for what is
 * not decodable audio), measure, store the original and cover, create the
 * track, and hand the transcoding to the processor, which then owns the
 * upload's temp file. Whatever fails before that leaves nothing behind: what
 * was stored is removed, or, if the database went away meanwhile, noted for the
 * sweeper to remove. `cutOff` stops it midway, as it does the upload itself.
 */
export async function acceptUpload(deps: IngestDeps, upload: ReceivedUpload, fields: UploadFields, cutOff?: AbortSignal, id = newTrackId()): Promise<TrackDocument> {
  const { tools, tracks, originals, covers, removals, processor, owner, leaseMs, maxDurationSec, logger, metrics } = deps;
  const started = performance.now();
  try {
    const probed = await metrics.time('probe', () => probeAudio(tools, upload.path));
    const probedAt = performance.now();
    await removals.begin({ _id: id, kind: 'upload', originalBytes: upload.bytes, durationSec: 0 });
    try {
      // decoding is CPU and storing the original is I/O: they overlap well
      const [measured] = await runTogether([
        (signal: AbortSignal) => metrics.time('measure', () => measureAudio(tools, upload.path, probed, maxDurationSec, signal)),
        (signal: AbortSignal) =>
          metrics.time('store_original', () =>
            originals.save(id, upload.path, { filename: upload.filename, mimeType: probed.mimeType, sha256: upload.sha256 }, signal),
          ),
      ] as const, cutOff);
      if (probed.cover) await covers.put(id, probed.cover.mimeType, probed.cover.data);
      const lease = { owner, until: new Date(Date.now() + leaseMs), attempts: 1 };
      const track = newTrack(id, upload, fields, probed, measured, lease);
      await tracks.insert(track);
      // the track exists now; should this fail, the sweeper finds it there and lets the note go
      await removals.end(id).catch((error: unknown) => logger.warn({ err: error, trackId: id }, 'could not clear the note of an upload'));
      logger.info(
        { trackId: id, bytes: upload.bytes, probeMs: Math.round(probedAt - started), acceptMs: Math.round(performance.now() - started) },
        'upload accepted',
      );
      processor.start(track, async () => ({ path: upload.path, format: probed.format, dispose: upload.dispose }), upload.dispose);
      return track;
    } catch (error) {
      const removed = await Promise.allSettled([originals.delete(id, upload.bytes), covers.delete(id)]);
      if (removed.every((outcome) => outcome.status === 'fulfilled')) await removals.end(id).catch(() => undefined);
      throw error;
    }
  } catch (error) {
    await upload.dispose();
    throw error;
  }
}
