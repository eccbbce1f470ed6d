import type { TrackDocument } from '../../shared/schemas/track.js';
import type { CoverStore } from '../../shared/storage/cover-store.js';
import type { OriginalStore } from '../../shared/storage/original-store.js';
import type { SegmentStore } from '../../shared/storage/segment-store.js';
import type { TrackStore } from '../../shared/storage/track-store.js';
import type { TrackEvents } from '../../shared/track-events.js';
import type { TrackProcessor } from '../jobs/track-processor.js';

export interface RemoveDeps {
  tracks: TrackStore;
  segments: SegmentStore;
  covers: CoverStore;
  originals: OriginalStore;
  processor: TrackProcessor;
  events?: TrackEvents;
}

/** Removes a track and everything stored for it. */
export async function removeTrack(deps: RemoveDeps, track: TrackDocument): Promise<void> {
  // the track disappears first, so a job elsewhere loses its lease and stops writing
  await deps.tracks.delete(track._id);
  await deps.processor.cancel(track._id);
  await deps.segments.deleteForTrack(track._id, track.durationSec);
  await deps.covers.delete(track._id);
  await deps.originals.delete(track._id, track.source.bytes);
  deps.events?.emit('deleted', track._id);
}
