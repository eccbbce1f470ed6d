import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withTempDir } from '../../shared/util/temp-dir.js';
import { runFfmpegOnImage } from '../media/ffmpeg.js';
import type { MediaTools } from '../media/media-tools.js';
import type { Cover } from './read-cover.js';
import { webpSize } from './webp-size.js';

/** The squares a cover is fitted into: the library's rows, a phone's page, a large screen's (each at 2x and more). */
const COVER_BOXES = [128, 256, 512] as const;

/** 4096 × 4096: bigger pictures would take the decoder hundreds of MB, and no cover art needs that many. */
const MAX_COVER_PIXELS = 4096 * 4096;

const RESIZE_DEADLINE_MS = 20_000;

/** The demuxer for each type `imageTypeOf` sniffs: ffmpeg is told what the bytes are, never left to guess. */
const DEMUXERS: Record<string, string> = {
  'image/jpeg': 'jpeg_pipe',
  'image/png': 'png_pipe',
  'image/gif': 'gif_pipe',
  'image/webp': 'webp_pipe',
};

export interface CoverSize {
  width: number;
  height: number;
  /** WebP */
  data: Buffer;
}

/** One output per box: fitted inside it, aspect kept, never enlarged. */
function outputArgs(dir: string): string[] {
  const split = `[0:v]split=${COVER_BOXES.length}${COVER_BOXES.map((box) => `[in${box}]`).join('')}`;
  const scales = COVER_BOXES.map(
    (box) => `[in${box}]scale=w='min(iw,${box})':h='min(ih,${box})':force_original_aspect_ratio=decrease:flags=lanczos[out${box}]`,
  );
  return [
    ...['-filter_complex', [split, ...scales].join(';')],
    ...COVER_BOXES.flatMap((box) => [
      ...['-map', `[out${box}]`, '-frames:v', '1', '-c:v', 'libwebp', '-quality', '80'],
      ...['-f', 'webp', `file:${join(dir, `${box}.webp`)}`],
    ]),
  ];
}

/**
 * The cover as WebP fitted into each of COVER_BOXES, smallest first, one per
 * distinct width: a 1,400 px cover gives 128, 256 and 512; a 200 px one 128
 * and 200; a 64 px one only 64. Rejects when ffmpeg cannot decode the picture
 * (broken, over MAX_COVER_PIXELS, so narrow a side of it would be no pixels,
 * or past the deadline).
 */
export async function resizeCover(tools: MediaTools, cover: Cover, tmpDir: string): Promise<CoverSize[]> {
  const demuxer = DEMUXERS[cover.mimeType];
  if (!demuxer) throw new Error(`there is no decoder for a cover of type ${cover.mimeType}`);
  return withTempDir(tmpDir, 'cover', async (dir) => {
    await runFfmpegOnImage(tools, { image: cover.data, demuxer, maxPixels: MAX_COVER_PIXELS, outputArgs: outputArgs(dir), timeoutMs: RESIZE_DEADLINE_MS });
    const sizes: CoverSize[] = [];
    for (const box of COVER_BOXES) {
      const data = await readFile(join(dir, `${box}.webp`));
      const size = webpSize(data);
      if (!size) throw new Error(`ffmpeg wrote no WebP for the ${box} px size`);
      if (!sizes.some((made) => made.width === size.width)) sizes.push({ ...size, data });
    }
    return sizes;
  });
}
