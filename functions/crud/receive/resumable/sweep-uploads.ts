import { type FinishServices, finishUpload } from './finish-upload.js';
import { removeUpload } from './remove-upload.js';

export interface UploadSweep {
  /** unfinished uploads past UPLOAD_EXPIRY_HOURS, removed with every byte they stored */
  uploadsExpired: number;
  /** complete uploads whose finish was cut short (the replica died), made tracks now */
  uploadsFinished: number;
}

/**
 * The sweeper's part in resumable uploads: an upload past its expiry goes
 * (with its bytes, unless they are its track's original by now), and a
 * complete one nobody is finishing any more is finished here.
 */
export async function sweepUploads(deps: FinishServices): Promise<UploadSweep> {
  const { uploads, tracks, logger } = deps;
  const result: UploadSweep = { uploadsExpired: 0, uploadsFinished: 0 };
  const now = new Date();
  for (const upload of await uploads.all()) {
    const finishing = upload.finishing !== null && upload.finishing.until > now;
    if (upload.expiresAt <= now && !finishing) {
      // a track made of it, whatever the upload says, owns the chunks: only the upload goes
      const tracked = upload.trackId !== null || (await tracks.get(upload._id)) !== null;
      logger.info({ uploadId: upload._id, offset: upload.offset, length: upload.length, tracked }, 'removing an expired upload');
      if (tracked) await uploads.delete(upload._id);
      else await removeUpload(deps, upload);
      result.uploadsExpired++;
    } else if (upload.trackId === null && upload.offset === upload.length && !finishing) {
      logger.info({ uploadId: upload._id }, 'finishing an upload whose finish was cut short');
      await finishUpload(deps, upload._id).then(
        () => result.uploadsFinished++,
        (error: unknown) => logger.warn({ err: error, uploadId: upload._id }, 'could not finish an upload'),
      );
    }
  }
  return result;
}
