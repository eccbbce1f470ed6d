import type { Logger } from 'pino';
import type { CoverStore } from '../../shared/storage/cover-store.js';
import type { MediaTools } from '../media/media-tools.js';
import { resizeCover } from '../probe/cover-sizes.js';
import type { Cover } from '../probe/read-cover.js';
import type { UploadLimits } from '../receive/receive-upload.js';

export interface StoreCoverDeps {
  tools: MediaTools;
  covers: CoverStore;
  uploadLimits: Pick<UploadLimits, 'tmpDir'>;
  logger: Logger;
}

/**
 * Keeps an upload's cover with its sizes, and answers the widths stored. A
 * picture ffmpeg cannot decode within its limits is not kept at all (a
 * browser would fare no better with it), and the upload goes on without a
 * cover: broken art never refuses a track.
 */
export async function storeCover(deps: StoreCoverDeps, trackId: string, cover: Cover | undefined): Promise<number[]> {
  if (!cover) return [];
  const sizes = await resizeCover(deps.tools, cover, deps.uploadLimits.tmpDir).catch((error: unknown) => {
    deps.logger.warn({ err: error, trackId }, 'the cover could not be resized; the track is kept without it');
    return [];
  });
  if (sizes.length === 0) return [];
  await deps.covers.put(trackId, cover.mimeType, cover.data, sizes);
  return sizes.map((size) => size.width);
}
