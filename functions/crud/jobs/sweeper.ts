import type { SweepResult } from '../../core/endpoints.js';
import type { UploadSweep } from '../receive/resumable/sweep-uploads.js';
import { finishRemoval, type RemovalServices, removeTrack } from './remove-track.js';
import type { CrudServices } from '../services.js';

/** A track whose processing was interrupted this many times is failed rather than tried again. */
export const MAX_ATTEMPTS = 3;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * An upload's note touched more recently than this may belong to an upload
 * still arriving or being accepted, on any replica (it is touched at every
 * write of its chunks, a few MiB apart, which the upload pace keeps minutes apart at most).
 */
const UPLOAD_IN_PROGRESS_MS = 60 * 60 * 1000;

type SweeperServices = RemovalServices &
  Pick<CrudServices, 'owner' | 'config' | 'logger' | 'uploads'> & {
    /** expires and finishes resumable uploads */
    sweepUploads: () => Promise<UploadSweep>;
  };

export type { SweepResult };

/**
 * Housekeeping, at start and then periodically (or once per POST /sweep when
 * a scheduler drives it): resumes processing tracks whose lease ran out, from
 * the stored original, and removes tracks nobody has played for TRACK_TTL_DAYS.
 */
export class Sweeper {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<SweepResult> | undefined;

  constructor(private readonly deps: SweeperServices) {}

  /** Sweeps now and then every SWEEP_INTERVAL_SECONDS; an interval of 0 leaves sweeping to whoever calls `sweep()` (POST /sweep). */
  start(): void {
    if (this.deps.config.sweepIntervalMs === 0) return;
    const sweepLogged = () =>
      void this.sweep().catch((error: unknown) => this.deps.logger.warn({ err: error }, 'sweep failed'));
    sweepLogged();
    this.timer = setInterval(sweepLogged, this.deps.config.sweepIntervalMs);
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
    const expired = await this.removeUnplayed();
    const uploads = await this.deps.sweepUploads();
    return { ...result, expired, cleanedUp: await this.finishRemovals(), ...uploads };
  }

  private async takeOverExpiredLeases(): Promise<Pick<SweepResult, 'resumed' | 'failed'>> {
    const { tracks, segments, processor, owner, logger } = this.deps;
    const { leaseMs, maxQueuedJobs } = this.deps.config;
    const result = { resumed: 0, failed: 0 };
    for (const expired of await tracks.expiredLeases(new Date())) {
      if (processor.jobCount >= maxQueuedJobs) break;
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
    const { tracks, logger } = this.deps;
    const { trackTtlDays } = this.deps.config;
    if (trackTtlDays === undefined) return 0;
    const unplayed = await tracks.unplayedSince(new Date(Date.now() - trackTtlDays * DAY_MS));
    for (const track of unplayed) {
      logger.info({ trackId: track._id, lastAccessedAt: track.lastAccessedAt }, 'removing a track nobody played');
      await removeTrack(this.deps, track);
    }
    return unplayed.length;
  }

  /** Finishes the removals a deleted track or a refused upload began and could not end. */
  private async finishRemovals(): Promise<number> {
    const { removals, tracks, logger } = this.deps;
    let finished = 0;
    for (const removal of await removals.pending()) {
      if (removal.kind === 'upload') {
        if (await tracks.get(removal._id)) {
          await removals.end(removal._id);
          continue;
        }
        if (Date.now() - removal.since.getTime() < UPLOAD_IN_PROGRESS_MS) continue;
        // a resumable upload may pause for hours: its expiry removes it
        if (await this.deps.uploads.get(removal._id)) continue;
      }
      logger.info({ trackId: removal._id, kind: removal.kind, since: removal.since }, 'finishing a removal that was cut short');
      await finishRemoval(this.deps, removal);
      finished++;
    }
    return finished;
  }
}
