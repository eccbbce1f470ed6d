import type { Logger } from 'pino';
import type { TrackStore } from '../shared/storage/track-store.js';

/** `lastAccessedAt` only needs to be roughly right; writing it on every request would double the database load. */
const WRITE_EVERY_MS = 5 * 60 * 1000;

/** Records that a track was played, at most once every few minutes per track and replica, without waiting. */
export class AccessRecorder {
  private readonly written = new Map<string, number>();

  constructor(
    private readonly tracks: TrackStore,
    private readonly logger: Logger,
  ) {}

  record(trackId: string): void {
    const now = Date.now();
    const last = this.written.get(trackId);
    if (last !== undefined && now - last < WRITE_EVERY_MS) return;
    this.written.set(trackId, now);
    if (this.written.size > 100_000) this.written.delete(this.written.keys().next().value!);
    this.tracks.touch(trackId, new Date(now)).catch((error: unknown) => {
      this.written.delete(trackId);
      this.logger.warn({ err: error, trackId }, 'could not record an access');
    });
  }
}
