import type { Logger } from 'pino';
import type { SegmentStore } from '../../shared/storage/segment-store.js';
import type { TrackStore } from '../../shared/storage/track-store.js';
import type { TrackProcessor } from './track-processor.js';

/** A track whose processing was interrupted this many times is failed rather than tried again. */
export const MAX_ATTEMPTS = 3;

export interface SweeperDeps {
  tracks: TrackStore;
  segments: SegmentStore;
  processor: TrackProcessor;
  owner: string;
  leaseMs: number;
  intervalMs: number;
  logger: Logger;
}

/**
 * Finds processing tracks whose lease ran out (their replica died or shut
 * down) and resumes them here from the stored original, at start and then
 * periodically.
 */
export class LeaseSweeper {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;

  constructor(private readonly deps: SweeperDeps) {}

  start(): void {
    void this.sweep();
    this.timer = setInterval(() => void this.sweep(), this.deps.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  /** One pass; resolves with how many tracks it took over. Overlapping calls share the pass under way. */
  sweep(): Promise<number> {
    this.sweeping ??= this.sweepOnce()
      .catch((error: unknown) => {
        this.deps.logger.warn({ err: error }, 'lease sweep failed');
        return 0;
      })
      .finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private async sweepOnce(): Promise<number> {
    const { tracks, segments, processor, owner, leaseMs, logger } = this.deps;
    let takenOver = 0;
    for (const expired of await tracks.expiredLeases(new Date())) {
      if (processor.isRunning(expired._id)) continue;
      const claimed = await tracks.claimExpiredLease(expired, { owner, until: new Date(Date.now() + leaseMs) });
      if (!claimed) continue;
      takenOver++;
      const attempts = claimed.lease?.attempts ?? MAX_ATTEMPTS + 1;
      if (attempts > MAX_ATTEMPTS) {
        logger.error({ trackId: claimed._id, attempts }, 'giving up on a track');
        await segments.deleteForTrack(claimed._id, claimed.durationSec);
        await tracks.markFailed(claimed._id, owner, {
          code: 'too_many_attempts',
          message: `Processing was interrupted ${MAX_ATTEMPTS} times; giving up`,
        });
        continue;
      }
      logger.info({ trackId: claimed._id, attempt: attempts }, 'resuming a track whose lease expired');
      processor.resume(claimed);
    }
    return takenOver;
  }
}
