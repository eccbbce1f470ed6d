import type { TrackDocument } from '../../core/schemas/track.js';
import { type RestartServices, restartFailed } from '../jobs/restart-failed.js';
import type { ReceivedUpload } from './receive-upload.js';
import { CLAIM_RENEWAL_MS, type DuplicateServices, findDuplicate } from './find-duplicate.js';
import type { CrudServices } from '../services.js';
import { isAudioRefusal } from '../probe/audio-refused.js';

export type Accepted =
  | { duplicate: false; track: TrackDocument }
  /** `reprocessed`: the track had failed, and this upload set it processing again */
  | { duplicate: true; track: TrackDocument; reprocessed: boolean };

export type AcceptOnceServices = DuplicateServices & RestartServices & Pick<CrudServices, 'logger'>;

/**
 * Makes a track of an upload unless its bytes are one already. Then the
 * upload's file is let go, and that track is the answer; a failed one is
 * processed again from its stored original. Otherwise `accept` makes the
 * track `trackId` (the bytes are claimed for it), and if it refuses the
 * upload, the claim is let go with it.
 */
export async function acceptOnce(
  deps: AcceptOnceServices,
  upload: ReceivedUpload,
  trackId: string,
  accept: () => Promise<TrackDocument>,
  cutOff?: AbortSignal,
): Promise<Accepted> {
  const { fingerprints, logger } = deps;
  const claim = await findDuplicate(deps, upload.sha256, trackId, { signal: cutOff }).catch(async (error: unknown) => {
    await upload.dispose();
    throw error;
  });
  if (claim.kind === 'duplicate') {
    await upload.dispose();
    return answerWith(deps, claim.track);
  }
  // an identical upload waiting on this one takes the claim over if it stops hearing from it
  const renewal = setInterval(() => void fingerprints.renew(upload.sha256, trackId).catch(() => undefined), CLAIM_RENEWAL_MS);
  try {
    return { duplicate: false, track: await accept() };
  } catch (error) {
    await fingerprints.release(upload.sha256, trackId).catch((releaseError: unknown) =>
      // it goes stale, and the next upload of these bytes takes it over
      logger.warn({ err: releaseError, trackId }, 'could not release the fingerprint of a refused upload'),
    );
    throw error;
  } finally {
    clearInterval(renewal);
  }
}

/** A track failed because decoding the whole file refused it: processing those bytes again would refuse them again. */
const refusedForItsFile = (track: TrackDocument) =>
  track.error !== null && isAudioRefusal(track.error.code);

async function answerWith(deps: AcceptOnceServices, track: TrackDocument): Promise<Accepted> {
  if (track.status !== 'failed' || refusedForItsFile(track)) return { duplicate: true, track, reprocessed: false };
  const restarted = await restartFailed(deps, track._id);
  if (restarted) return { duplicate: true, track: restarted, reprocessed: true };
  // set going again meanwhile, by an identical upload or a reprocess call
  return { duplicate: true, track: (await deps.tracks.get(track._id)) ?? track, reprocessed: false };
}
