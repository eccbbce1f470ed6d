import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { INIT_SEGMENT_FILE, mediaSegmentFile } from '../../functions/core/hls.js';
import type { RenditionId } from '../../functions/core/schemas/track.js';
import { segmentId } from '../../functions/shared/storage/segment-store.js';
import { withTempDir } from '../../functions/shared/util/temp-dir.js';
import type { Database } from '../../functions/shared/storage/database.js';
import { resolveMediaTools } from '../../functions/crud/media/media-tools.js';

const run = promisify(execFile);

/** The ffmpeg and ffprobe the service resolves, from the same settings: tests make and check audio with the binaries it runs. */
export const mediaTools = resolveMediaTools({ ffmpegPath: process.env.FFMPEG_PATH, ffprobePath: process.env.FFPROBE_PATH });

/** A file's SHA-256, read a few MiB at a time: test files go up to a gigabyte. */
export async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const data of createReadStream(path, { highWaterMark: 4 * 1024 * 1024 })) hash.update(data as Buffer);
  return hash.digest('hex');
}

/** Decodes a file with ffmpeg and returns how long the decoded audio is, counting samples. */
export async function decodedDurationSec(path: string): Promise<number> {
  const { stdout } = await run(mediaTools.ffmpeg, ['-v', 'error', '-nostdin', '-i', path, '-map', '0:a:0', '-ac', '1', '-ar', '48000', '-f', 's16le', '-'], {
    encoding: 'buffer',
    maxBuffer: 1024 * 1024 * 1024,
  });
  return stdout.length / 2 / 48000;
}

export async function probeStream(path: string): Promise<{ codec_name: string; channels: number; sample_rate: string; profile?: string }> {
  const { stdout } = await run(mediaTools.ffprobe, ['-v', 'error', '-select_streams', 'a:0', '-show_streams', '-of', 'json', path]);
  return JSON.parse(stdout).streams[0];
}

/** What ffprobe says an image is (its bytes written to a file of their own first; `extension` tells ffprobe what to expect). */
export async function probeImage(data: Buffer, extension = 'webp'): Promise<{ codec_name: string; width: number; height: number }> {
  return withTempDir(tmpdir(), 'probe-image', async (dir) => {
    const path = join(dir, `image.${extension}`);
    await writeFile(path, data);
    const { stdout } = await run(mediaTools.ffprobe, ['-v', 'error', '-show_entries', 'stream=codec_name,width,height', '-of', 'json', path]);
    return (JSON.parse(stdout) as { streams: Array<{ codec_name: string; width: number; height: number }> }).streams[0]!;
  });
}

/**
 * Reassembles a stored rendition (init segment + media segments, read by `_id`
 * as the stream function will) into one fragmented MP4 and hands it to `check`.
 */
export async function withStoredRendition<T>(
  database: Database,
  trackId: string,
  rendition: RenditionId,
  segmentCount: number,
  check: (path: string) => Promise<T>,
): Promise<T> {
  const files = [INIT_SEGMENT_FILE, ...Array.from({ length: segmentCount }, (_, index) => mediaSegmentFile(index))];
  const parts: Buffer[] = [];
  for (const file of files) {
    const segment = await database.segments.findOne({ _id: segmentId(trackId, rendition, file) });
    if (!segment) throw new Error(`segment ${file} of ${rendition} is missing`);
    parts.push(Buffer.from(segment.data.buffer));
  }
  return withTempDir(tmpdir(), 'rendition-check', async (dir) => {
    const path = join(dir, `${rendition}.mp4`);
    await writeFile(path, Buffer.concat(parts));
    return check(path);
  });
}
