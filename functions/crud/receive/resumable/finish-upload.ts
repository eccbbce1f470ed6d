import { setTimeout as sleep } from 'node:timers/promises';
import { AudioRefused } from '../../probe/audio-refused.js';
import { UploadRefused } from '../upload-refused.js';
import type { UploadDocument } from '../../../shared/storage/upload-store.js';
import { type IngestServices, ingestReceived, uploadFields } from '../accept-upload.js';
import { removeUpload } from './remove-upload.js';
import { stageUpload } from './stage-upload.js';
import { refuseWhenQueueFull } from '../../jobs/queue-limit.js';
import type { CrudServices } from '../../services.js';

export type FinishServices = IngestServices & Pick<CrudServices, 'uploads'>;

export interface FinishedUpload {
  trackId: string;
  /** the bytes were a track already: that track is the answer, and the upload's own chunks are gone */
  duplicate: boolean;
}

/** How often a request waits to see a finish another replica holds come to an end. */
const FINISH_POLL_MS = 500;

/** What is wrong with the bytes themselves (not audio, too long, a bad field): asked again, they would be refused again. */
const refusesTheFile = (error: unknown) => error instanceof AudioRefused || (error instanceof UploadRefused && error.aboutTheFile);

const finishedAs = (upload: UploadDocument, trackId: string): FinishedUpload => ({ trackId, duplicate: trackId !== upload._id });

/**
 * Turns a complete upload into its track, exactly once whichever replica
 * and however many requests ask: the final PATCH, a HEAD from a client that
 * lost its answer, or the sweeper after the replica finishing it died. One of
 * them claims the finish (a lease, renewed while it works); the others wait
 * for the track, and take the claim over if it lapses. Null for an upload that
 * is gone, or not complete yet.
 */
export async function finishUpload(deps: FinishServices, id: string, signal?: AbortSignal): Promise<FinishedUpload | null> {
  const { uploads, tracks, owner } = deps;
  const { leaseMs } = deps.config;
  for (;;) {
    const upload = await uploads.get(id);
    if (!upload || upload.offset < upload.length) return null;
    if (upload.trackId) return finishedAs(upload, upload.trackId);
    // a finish cut short after the track was made: only the upload's word of it was lost
    if (await tracks.get(id)) {
      await uploads.finished(id, id);
      return finishedAs(upload, id);
    }
    // a replica that holds as many tracks as it may leaves the finish to the next ask (the client's retry, or the sweeper)
    refuseWhenQueueFull(deps.processor, deps.config.maxQueuedJobs);
    if (await uploads.claimFinish(id, owner, new Date(Date.now() + leaseMs))) return finishClaimed(deps, upload);
    await sleep(FINISH_POLL_MS, undefined, { signal });
  }
}

async function finishClaimed(deps: FinishServices, upload: UploadDocument): Promise<FinishedUpload> {
  const { uploads, originals, covers, removals, owner, logger } = deps;
  const { leaseMs } = deps.config;
  const id = upload._id;
  const renewal = setInterval(
    // a renewal that fails lets the lease lapse and another replica take the finish over: worth a line in the log
    () => void uploads.renewFinish(id, owner, new Date(Date.now() + leaseMs)).catch((err: unknown) => logger.warn({ err, uploadId: id }, 'could not renew the finish')),
    Math.max(1000, leaseMs / 3),
  );
  const discardStored = async () => {
    await Promise.all([originals.delete(id, upload.length), covers.delete(id)]);
    await removals.end(id);
  };
  try {
    const fields = uploadFields(upload);
    const received = await stageUpload(deps, upload);
    if (upload.sha256 && upload.sha256 !== received.sha256) {
      await received.dispose();
      throw new UploadRefused('checksum_mismatch', 'The file does not match the sha256 of its Upload-Metadata', { expected: upload.sha256, received: received.sha256 });
    }
    // a duplicate's chunks go only once the upload names the track that holds its bytes: a finish cut short
    // between the two then has nothing left to redo
    const accepted = await ingestReceived(deps, id, received, fields).catch(async (error: unknown) => {
      await received.dispose();
      throw error;
    });
    await uploads.finished(id, accepted.track._id);
    if (accepted.duplicate) await discardStored();
    logger.info({ uploadId: id, trackId: accepted.track._id, duplicate: accepted.duplicate }, 'resumable upload finished');
    return finishedAs(upload, accepted.track._id);
  } catch (error) {
    // refused for what it is (not audio, too long): kept, it would be refused again at every ask
    if (refusesTheFile(error)) await removeUpload(deps, upload);
    else await uploads.releaseFinish(id, owner).catch((err: unknown) => logger.warn({ err, uploadId: id }, 'could not release the finish; its lease lapses instead'));
    throw error;
  } finally {
    clearInterval(renewal);
  }
}
