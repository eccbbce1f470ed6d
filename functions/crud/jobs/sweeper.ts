import type { Logger } from 'pino';
import type { TrackStore } from '../../shared/storage/track-store.js';
import { type RemoveDeps, removeTrack } from '../store/remove-track.js';
import type { TrackProcessor } from './track-processor.js';

/** A track whose processing was interrupted this many times is failed rather than tried again. */
export const MAX_ATTEMPTS = 3;

const DAY_MS = 24 * 60 * 60 * 1000;

export interface SweeperDeps extends RemoveDeps {
  tracks: TrackStore;
  processor: TrackProcessor;
  owner: string;
  leaseMs: number;
  intervalMs: number;
  /** tracks nobody played for this many days are removed; undefined keeps everything */
  trackTtlDays: number | undefined;
  logger: Logger;
}

export interface SweepResult {
  /** processing tracks taken over from a replica that died or let go */
  resumed: number;
  /** tracks given up on after too many interrupted attempts */
  failed: number;
  /** tracks removed because nobody played them within TRACK_TTL_DAYS */
  expired: number;
}

/**
 * Housekeeping, at start and then periodically (or once per POST /sweep when
 * a scheduler drives it): resumes processing tracks whose lease ran out, from
 * the stored original, and removes tracks nobody has played for TRACK_TTL_DAYS.
 */
export class Sweeper {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<SweepResult> | undefined;

  constructor(private readonly deps: SweeperDeps) {}

  /** Sweeps now and then every `intervalMs`; an interval of 0 leaves sweeping to whoever calls `sweep()` (POST /sweep). */
  start(): void {
    if (this.deps.intervalMs === 0) return;
    const sweepLogged = () =>
      void this.sweep().catch((error: unknown) => this.deps.logger.warn({ err: error }, 'sweep failed'));
    sweepLogged();
    this.timer = setInterval(sweepLogged, this.deps.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping?.catch(() => undefined);
  }

  /** One pass. Overlapping calls share the pass under way. */
  sweep(): Promise<SweepResult> {
    this.sweeping ??= this.sweepOnce().finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private async sweepOnce(): Promise<SweepResult> {
    const result = await this.takeOverExpiredLeases();
    return { ...result, expired: await this.removeUnplayed() };
  }

  private async takeOverExpiredLeases(): Promise<Omit<SweepResult, 'expired'>> {
    const { tracks, segments, processor, owner, leaseMs, logger } = this.deps;
    const result = { resumed: 0, failed: 0 };
    for (const expired of await tracks.expiredLeases(new Date())) {
      if (processor.isRunning(expired._id)) continue;
      const claimed = await tracks.claimExpiredLease(expired, { owner, until: new Date(Date.now() + leaseMs) });
      if (!claimed) continue;
      const attempts = claimed.lease?.attempts ?? MAX_ATTEMPTS + 1;
      if (attempts > MAX_ATTEMPTS) {
        logger.error({ trackId: claimed._id, attempts }, 'giving up on a track');
        await segments.deleteForTrack(claimed._id, claimed.durationSec);
        await tracks.markFailed(claimed._id, owner, {
          code: 'too_many_attempts',
          message: `Processing was interrupted ${MAX_ATTEMPTS} times; giving up`,
        });
        result.failed++;
        continue;
      }
      logger.info({ trackId: claimed._id, attempt: attempts }, 'resuming a track whose lease expired');
      processor.resume(claimed);
      result.resumed++;
    }
    return result;
  }

  private async removeUnplayed(): Promise<number> {
    const { trackTtlDays, tracks, logger } = this.deps;
    if (trackTtlDays === undefined) return 0;
    const unplayed = await tracks.unplayedSince(new Date(Date.now() - trackTtlDays * DAY_MS));
    for (const track of unplayed) {
      logger.info({ trackId: track._id, lastAccessedAt: track.lastAccessedAt }, 'removing a track nobody played');
      await removeTrack(this.deps, track);
    }
    return unplayed.length;
  }
}
