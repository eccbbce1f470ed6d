import { resizeCover } from '../probe/cover-sizes.js';
import type { Cover } from '../probe/read-cover.js';
import type { CrudServices } from '../services.js';

type CoverServices = Pick<CrudServices, 'tools' | 'covers' | 'config' | 'logger'>;

/**
 * Keeps an upload's cover with its sizes, and answers the widths stored. A
 * picture ffmpeg cannot decode within its limits is not kept at all (a
 * browser would fare no better with it), and the upload goes on without a
 * cover: broken art never refuses a track.
 */
export async function storeCover(deps: CoverServices, trackId: string, cover: Cover | undefined): Promise<number[]> {
  if (!cover) return [];
  const sizes = await resizeCover(deps.tools, cover, deps.config.tmpDir).catch((error: unknown) => {
    deps.logger.warn({ err: error, trackId }, 'the cover could not be resized; the track is kept without it');
    return [];
  });
  if (sizes.length === 0) return [];
  await deps.covers.put(trackId, cover.mimeType, cover.data, sizes);
  return sizes.map((size) => size.width);
}
