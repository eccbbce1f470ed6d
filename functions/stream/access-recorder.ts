import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { TrackStore } from '../shared/storage/track-store.js';

/** `lastAccessedAt` only needs to be roughly right; writing it on every request would double the database load. */
const WRITE_EVERY_MS = 5 * 60 * 1000;

/** Tracks remembered as written; past this many the least recently written is forgotten (and may be written again early). */
const MAX_REMEMBERED = 100_000;

/** Records that a track was played, at most once every few minutes per track and replica, without waiting. */
export class AccessRecorder {
  /** the tracks whose access was written (or is being written) in the last `everyMs` */
  private readonly written: LRUCache<string, true>;

  constructor(
    private readonly tracks: TrackStore,
    private readonly logger: Logger,
    everyMs = WRITE_EVERY_MS,
  ) {
    this.written = new LRUCache<string, true>({ max: MAX_REMEMBERED, ttl: everyMs });
  }

  record(trackId: string): void {
    if (this.written.has(trackId)) return;
    this.written.set(trackId, true);
    this.tracks.touch(trackId, new Date()).catch((error: unknown) => {
      // the next play tries again
      this.written.delete(trackId);
      this.logger.warn({ err: error, trackId }, 'could not record an access');
    });
  }
}
