import { setTimeout as sleep } from 'node:timers/promises';
import { UploadRefused } from './upload-refused.js';
import type { TrackDocument } from '../../core/schemas/track.js';
import type { CrudServices } from '../services.js';

/** How often an upload that holds a claim, and is making its track, says it is still at it. */
export const CLAIM_RENEWAL_MS = 5_000;
/**
 * A claim left unconfirmed this long, with no track behind it, belongs to
 * nobody: its upload died midway, or its track's removal could not let it go.
 */
export const STALE_CLAIM_MS = 30_000;
/** How long an upload waits for an identical one, accepted just before it, to make its track. */
export const WAIT_FOR_CLAIMANT_MS = 120_000;
const POLL_DELAYS_MS = [100, 250, 500, 1000];

export type FingerprintClaim =
  /** the bytes are new: the track to make is `trackId`, which holds them now */
  | { kind: 'claimed'; trackId: string }
  /** the bytes are this track's already */
  | { kind: 'duplicate'; track: TrackDocument };

export type DuplicateServices = Pick<CrudServices, 'fingerprints' | 'tracks'>;

export interface ClaimLimits {
  staleMs?: number;
  waitMs?: number;
  /** aborted when the replica can wait no longer: the wait ends with its reason */
  signal?: AbortSignal | undefined;
}

const uploadInProgress = (sha256: string) =>
  new UploadRefused('upload_in_progress', 'The same file is being uploaded right now; send it again shortly to get its track', { sha256 });

/**
 * Claims the bytes of an upload for a new track, or finds the track that
 * already holds them. A claim whose track does not exist yet is an identical
 * upload still being accepted: this one waits for its track, or claims the
 * bytes itself once that upload lets them go (it was refused) or goes quiet
 * (it died). Every read is an `_id` lookup, and every change a conditional
 * write, so replicas racing for the same bytes end with one track.
 */
export async function findDuplicate(
  { fingerprints, tracks }: DuplicateServices,
  sha256: string,
  trackId: string,
  { staleMs = STALE_CLAIM_MS, waitMs = WAIT_FOR_CLAIMANT_MS, signal }: ClaimLimits = {},
): Promise<FingerprintClaim> {
  const giveUpAt = Date.now() + waitMs;
  for (let poll = 0; ; poll++) {
    signal?.throwIfAborted();
    if (await fingerprints.claim(sha256, trackId)) return { kind: 'claimed', trackId };
    const held = await fingerprints.get(sha256);
    if (held) {
      const track = await tracks.get(held.trackId);
      if (track) return { kind: 'duplicate', track };
      if (Date.now() - held.claimedAt.getTime() >= staleMs && (await fingerprints.takeOver(held, trackId))) {
        return { kind: 'claimed', trackId };
      }
    }
    if (Date.now() >= giveUpAt) throw uploadInProgress(sha256);
    // an abort ends the wait with its own reason (the replica is shutting down), not the timer's AbortError
    await sleep(POLL_DELAYS_MS[Math.min(poll, POLL_DELAYS_MS.length - 1)], undefined, { signal }).catch(() => signal?.throwIfAborted());
  }
}
