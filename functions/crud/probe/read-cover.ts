import { Writable } from 'node:stream';
import type { StagedMedia } from '../media/audio-formats.js';
import { type ProbeOutput, runFfmpeg } from '../media/ffmpeg.js';
import type { MediaTools } from '../media/media-tools.js';
import { imageTypeOf } from '../../shared/util/image-type.js';

export interface Cover {
  mimeType: string;
  data: Uint8Array;
}

/** Cover art larger than this is skipped: it is never held whole in memory. */
export const MAX_COVER_BYTES = 4 * 1024 * 1024;

const COVER_DEADLINE_MS = 30_000;

/** The front cover if the file marks one, else the first picture it carries. */
function coverStream(probed: ProbeOutput) {
  const pictures = probed.streams.filter((stream) => stream.codec_type === 'video' && stream.disposition?.attached_pic === 1);
  return pictures.find((stream) => /front/i.test(stream.tags?.comment ?? '')) ?? pictures[0];
}

/**
 * Copies the embedded cover out of the staged file, stopping once it passes
 * MAX_COVER_BYTES (the picture is then skipped), and keeps it only if its
 * bytes are one of the image formats above.
 */
export async function readCover(tools: MediaTools, input: StagedMedia, probed: ProbeOutput): Promise<Cover | undefined> {
  const stream = coverStream(probed);
  if (!stream) return undefined;
  const chunks: Buffer[] = [];
  let bytes = 0;
  const tooLarge = new AbortController();
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > MAX_COVER_BYTES) tooLarge.abort(new Error('the cover is too large'));
      else chunks.push(chunk);
      done();
    },
  });
  try {
    await runFfmpeg(tools, {
      input,
      outputs: [{ target: sink, options: ['-map', `0:${stream.index}`, '-c', 'copy', '-frames:v', '1', '-f', 'image2pipe'] }],
      signal: tooLarge.signal,
      timeoutMs: COVER_DEADLINE_MS,
    });
  } catch {
    // too large, or not a picture ffmpeg can copy out: the track has no cover
    return undefined;
  }
  const data = Buffer.concat(chunks, bytes);
  const mimeType = bytes > 0 ? imageTypeOf(data) : undefined;
  return mimeType ? { mimeType, data } : undefined;
}
