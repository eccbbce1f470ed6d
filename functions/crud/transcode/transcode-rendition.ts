import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { INIT_SEGMENT_FILE, SEGMENT_SECONDS } from '../../core/hls.js';
import { runTogether } from '../../shared/util/run-together.js';
import type { StagedMedia } from '../media/audio-formats.js';
import { deadlineMs, runFfmpeg } from '../media/ffmpeg.js';
import type { MediaTools } from '../media/media-tools.js';
import type { RenditionPlan } from './ladder.js';

const FFMPEG_PLAYLIST = 'ffmpeg.m3u8';
const POLL_MS = 200;

export interface ListedSegment {
  file: string;
  duration: number;
}

/**
 * ffmpeg's HLS muxer writing CMAF: an init segment plus numbered fragments
 * with a media extension. Its playlist is an EVENT one, rewritten (atomically,
 * via temp_file) after every finished segment, which is how the segments are
 * picked up while the encoder is still running.
 */
export function renditionOutputOptions(plan: RenditionPlan, dir: string): string[] {
  return [
    ...['-map', '0:a:0', '-vn', '-sn', '-dn', '-map_metadata', '-1'],
    ...['-ac', String(plan.channels), '-ar', String(plan.sampleRate)],
    ...['-c:a', 'aac', '-b:a', String(plan.bitrate)],
    // no encoder version or timestamps in the output: a resumed job writes the same bytes
    ...['-fflags', '+bitexact', '-flags:a', '+bitexact'],
    ...['-f', 'hls', '-hls_time', String(SEGMENT_SECONDS), '-hls_playlist_type', 'event', '-hls_flags', 'temp_file'],
    ...['-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', INIT_SEGMENT_FILE],
    ...['-hls_segment_filename', join(dir, '%06d.m4s')],
  ];
}

/** The segment list ffmpeg wrote: only its file names and durations are used, never the playlist itself. */
export function parseSegmentList(playlist: string): ListedSegment[] {
  const segments: ListedSegment[] = [];
  let duration: number | undefined;
  for (const line of playlist.split('\n').map((text) => text.trim())) {
    if (line.startsWith('#EXTINF:')) duration = Number.parseFloat(line.slice('#EXTINF:'.length));
    else if (line && !line.startsWith('#') && duration !== undefined) {
      segments.push({ file: line, duration });
      duration = undefined;
    }
  }
  return segments;
}

async function listedSegments(dir: string): Promise<ListedSegment[]> {
  try {
    return parseSegmentList(await readFile(join(dir, FFMPEG_PLAYLIST), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/**
 * Encodes one rung into `dir`, handing each finished media segment to
 * `onSegments` while ffmpeg goes on with the next, so storing overlaps
 * encoding. Resolves once every segment has been handed over; the init segment
 * is then complete in `dir`.
 */
export async function transcodeRendition(
  tools: MediaTools,
  source: StagedMedia & { durationSec: number },
  plan: RenditionPlan,
  dir: string,
  signal: AbortSignal,
  onSegments: (segments: ListedSegment[]) => Promise<void>,
): Promise<void> {
  let handedOver = 0;
  const handOver = async () => {
    const listed = await listedSegments(dir);
    if (listed.length > handedOver) {
      const fresh = listed.slice(handedOver);
      handedOver = listed.length;
      await onSegments(fresh);
    }
  };
  let encoding = true;
  await runTogether(
    [
      async (shared: AbortSignal) => {
        try {
          await runFfmpeg(tools, {
            input: source,
            inputOptions: ['-nostats'],
            outputs: [{ target: join(dir, FFMPEG_PLAYLIST), options: renditionOutputOptions(plan, dir) }],
            signal: shared,
            timeoutMs: deadlineMs(source.durationSec, 1),
          });
        } finally {
          encoding = false;
        }
      },
      async (shared: AbortSignal) => {
        while (encoding) {
          await sleep(POLL_MS, undefined, { signal: shared });
          await handOver();
        }
      },
    ] as const,
    signal,
  );
  await handOver();
}
