import type { TrackDocument } from '../../core/schemas/track.js';
import type { TrackStore } from '../../shared/storage/track-store.js';
import { busy } from '../receive/staging-budget.js';
import type { TrackProcessor } from './track-processor.js';
import { refuseWhenQueueFull } from './queue-limit.js';

export interface RestartDeps {
  tracks: TrackStore;
  processor: TrackProcessor;
  owner: string;
  leaseMs: number;
  /** a replica holding this many tracks takes on no more (503) */
  maxQueuedJobs: number;
}

/**
 * Sets a failed track processing again, here, from its stored original (POST
 * /tracks/:id/reprocess, or the same bytes uploaded again). Null when the
 * track is not failed, or not there.
 */
export async function restartFailed(deps: RestartDeps, id: string): Promise<TrackDocument | null> {
  const { tracks, processor } = deps;
  refuseWhenQueueFull(processor, deps.maxQueuedJobs);
  // a job that just failed may still be cleaning up after itself
  if (processor.isRunning(id)) throw busy('the last run of this track is still ending');
  const restarted = await tracks.restartFailed(id, { owner: deps.owner, until: new Date(Date.now() + deps.leaseMs) });
  if (restarted) processor.resume(restarted);
  return restarted;
}
