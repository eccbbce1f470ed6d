import { busy } from '../../shared/refusal.js';

/**
 * Refuses (503 service_busy) what would give this replica another track to process while it holds as many as
 * MAX_QUEUED_JOBS: an upload, a finished resumable upload, a reprocess. Another replica takes it.
 */
export function refuseWhenQueueFull(processor: { jobCount: number }, maxQueuedJobs: number): void {
  if (processor.jobCount >= maxQueuedJobs) throw busy('it holds as many tracks as it may');
}
