import type { TrackDocument } from '../../core/schemas/track.js';
import { busy } from '../../shared/refusal.js';
import { refuseWhenQueueFull } from './queue-limit.js';
import type { CrudServices } from '../services.js';

export type RestartServices = Pick<CrudServices, 'tracks' | 'processor' | 'owner' | 'config'>;

/**
 * Sets a failed track processing again, here, from its stored original (POST
 * /tracks/:id/reprocess, or the same bytes uploaded again). Null when the
 * track is not failed, or not there.
 */
export async function restartFailed(deps: RestartServices, id: string): Promise<TrackDocument | null> {
  const { tracks, processor } = deps;
  refuseWhenQueueFull(processor, deps.config.maxQueuedJobs);
  // a job that just failed may still be cleaning up after itself
  if (processor.isRunning(id)) throw busy('the last run of this track is still ending');
  const restarted = await tracks.restartFailed(id, { owner: deps.owner, until: new Date(Date.now() + deps.config.leaseMs) });
  if (restarted) processor.resume(restarted);
  return restarted;
}
