import type { Logger } from 'pino';
import type { TrackStore } from '../../shared/storage/track-store.js';

/** Another replica took the track over, or the track was deleted. */
export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
}

/**
 * Keeps a processing track's lease alive while this replica works on it and
 * writes the latest progress with each renewal. When a renewal finds the lease
 * gone, `signal` aborts so the work stops writing.
 */
export class LeaseKeeper {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private progress: number | undefined;
  private written = { at: Date.now(), progress: 0 };
  private renewal: Promise<void> | undefined;

  constructor(
    private readonly tracks: TrackStore,
    private readonly trackId: string,
    private readonly owner: string,
    private readonly leaseMs: number,
    private readonly logger: Logger,
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), Math.min(1000, this.leaseMs / 3));
  }

  /**
   * Progress bars want news about every second, the lease a renewal a few
   * times per term; a write goes out only when one of them needs it.
   */
  private tick(): void {
    const sinceWrite = Date.now() - this.written.at;
    const moved = (this.progress ?? 0) - this.written.progress >= 0.01;
    if (!this.renewal && (sinceWrite >= this.leaseMs / 3 || moved)) {
      this.renewal = this.renew().finally(() => (this.renewal = undefined));
    }
  }

  report(progress: number): void {
    this.progress = Math.round(progress * 1000) / 1000;
  }

  /**
   * Renews no more, once a renewal under way has been answered: a job lets go
   * of its track (hands it back) only after this, or a late renewal would
   * hold the track for another term on behalf of nobody.
   */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.renewal;
  }

  private async renew(): Promise<void> {
    const progress = this.progress;
    this.written = { at: Date.now(), progress: progress ?? 0 };
    try {
      const held = await this.tracks.renewLease(this.trackId, this.owner, new Date(Date.now() + this.leaseMs), progress);
      if (!held) {
        clearInterval(this.timer);
        this.controller.abort(new LeaseLostError(`lost the lease on track ${this.trackId}`));
      }
    } catch (error) {
      // a passing database fault: the next renewal tries again well before the lease runs out
      this.logger.warn({ err: error, trackId: this.trackId }, 'lease renewal failed');
    }
  }
}
