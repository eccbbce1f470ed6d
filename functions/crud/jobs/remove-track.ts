import type { TrackDocument } from '../../core/schemas/track.js';
import type { RemovalDocument } from '../../shared/storage/removal-store.js';
import type { CrudServices } from '../services.js';

export type RemovalServices = Pick<CrudServices, 'tracks' | 'segments' | 'covers' | 'originals' | 'removals' | 'fingerprints' | 'playlists' | 'processor' | 'events'>;

/** Removes a track and everything stored for it; if that is cut short, the sweeper finishes it. */
export async function removeTrack(deps: RemovalServices, track: TrackDocument): Promise<void> {
  const removal = {
    _id: track._id,
    kind: 'track',
    originalBytes: track.source.bytes,
    durationSec: track.durationSec,
    sha256: track.source.sha256,
  } as const;
  await deps.removals.begin(removal);
  await finishRemoval(deps, removal);
}

/** Every step finds what it removes by `_id` and is a no-op the second time, so a removal can be finished by anyone. */
export async function finishRemoval(deps: RemovalServices, removal: Omit<RemovalDocument, 'since'>): Promise<void> {
  const id = removal._id;
  // the track disappears first, so a job elsewhere loses its lease and stops writing
  await deps.tracks.delete(id);
  // a playlist never names a track that is gone: it is taken out of every one, not left for readers to skip
  await deps.playlists.removeTrackEverywhere(id);
  await deps.processor.cancel(id);
  await deps.segments.deleteForTrack(id, removal.durationSec);
  await deps.covers.delete(id);
  await deps.originals.delete(id, removal.originalBytes);
  // before the note goes: whoever finishes a removal cut short lets the bytes go too
  if (removal.sha256) await deps.fingerprints.release(removal.sha256, id);
  await deps.removals.end(id);
  deps.events?.emit('deleted', id);
}
