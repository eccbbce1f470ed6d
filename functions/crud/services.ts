import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { IngestMetrics } from '../shared/metrics/ingest-metrics.js';
import type { CoverStore } from '../shared/storage/cover-store.js';
import type { FingerprintStore } from '../shared/storage/fingerprint-store.js';
import type { OriginalStore } from '../shared/storage/original-store.js';
import type { PlaylistStore } from '../shared/storage/playlist-store.js';
import type { RemovalStore } from '../shared/storage/removal-store.js';
import type { SegmentStore } from '../shared/storage/segment-store.js';
import type { TrackStore } from '../shared/storage/track-store.js';
import type { UploadStore } from '../shared/storage/upload-store.js';
import type { TrackEvents } from '../shared/track-events.js';
import type { CrudConfig } from './config.js';
import type { TrackProcessor } from './jobs/track-processor.js';
import type { MediaTools } from './media/media-tools.js';
import type { UploadLimits } from './receive/receive-upload.js';

/**
 * What the crud function's stages work with, made once in `createApp`: its
 * settings, the stores, ffmpeg, the job processor and the limits on uploads.
 * Each stage takes the part it uses (`Pick<CrudServices, …>`).
 */
export interface CrudServices {
  config: CrudConfig;
  tools: MediaTools;
  tracks: TrackStore;
  segments: SegmentStore;
  originals: OriginalStore;
  covers: CoverStore;
  removals: RemovalStore;
  fingerprints: FingerprintStore;
  uploads: UploadStore;
  playlists: PlaylistStore;
  processor: TrackProcessor;
  /** this replica's name in leases */
  owner: string;
  logger: Logger;
  metrics: IngestMetrics;
  /** where deletions are announced to other functions in this process */
  events: TrackEvents | undefined;
  /** what a replica takes of uploads: size, pace, and the disk its staged uploads may fill (`budget`) */
  uploadLimits: UploadLimits;
  /** what a write must pass first: write intent, the API key, the rate limit */
  writeGuards: RequestHandler[];
}
