import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { INIT_SEGMENT_FILE, SEGMENT_SECONDS } from '../../shared/hls.js';
import { runFfmpeg } from '../media/ffmpeg.js';
import type { MediaTools } from '../media/media-tools.js';
import type { RenditionPlan } from './ladder.js';
import type { EncodedSegment } from './rendition-facts.js';

const FFMPEG_PLAYLIST = 'ffmpeg.m3u8';

/** ffmpeg's HLS muxer writing CMAF: an init segment plus numbered fragments with a media extension. */
export function renditionOutputOptions(plan: RenditionPlan, dir: string): string[] {
  return [
    ...['-map', '0:a:0', '-vn', '-sn', '-dn', '-map_metadata', '-1'],
    ...['-ac', String(plan.channels), '-ar', String(plan.sampleRate)],
    ...['-c:a', 'aac', '-b:a', String(plan.bitrate)],
    // no encoder version or timestamps in the output: a resumed job writes the same bytes
    ...['-fflags', '+bitexact', '-flags:a', '+bitexact'],
    ...['-f', 'hls', '-hls_time', String(SEGMENT_SECONDS), '-hls_playlist_type', 'vod'],
    ...['-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', INIT_SEGMENT_FILE],
    ...['-hls_segment_filename', join(dir, '%06d.m4s')],
  ];
}

/** The segment list ffmpeg wrote: only its file names and durations are used, never the playlist itself. */
export function parseSegmentList(playlist: string): Array<{ file: string; duration: number }> {
  const segments: Array<{ file: string; duration: number }> = [];
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

export interface EncodedRendition {
  dir: string;
  segments: EncodedSegment[];
}

export async function transcodeRendition(
  tools: MediaTools,
  source: string,
  plan: RenditionPlan,
  dir: string,
  options: { signal?: AbortSignal; onProgress?: (seconds: number) => void },
): Promise<EncodedRendition> {
  await runFfmpeg(tools, {
    input: source,
    outputs: [{ target: join(dir, FFMPEG_PLAYLIST), options: renditionOutputOptions(plan, dir) }],
    ...options,
  });
  const listed = parseSegmentList(await readFile(join(dir, FFMPEG_PLAYLIST), 'utf8'));
  const segments = await Promise.all(
    listed.map(async ({ file, duration }) => ({ file, duration, bytes: (await stat(join(dir, file))).size })),
  );
  await stat(join(dir, INIT_SEGMENT_FILE));
  return { dir, segments };
}
