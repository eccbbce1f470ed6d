import type { StoredRendition } from '../../shared/schemas/track.js';

/** Native players start on the first variant listed: the richest one at or under this bit rate. */
const START_BITRATE = 128_000;

function startFirst(renditions: StoredRendition[]): StoredRendition[] {
  const ascending = [...renditions].sort((a, b) => a.bitrate - b.bitrate);
  const start = ascending.filter((rendition) => rendition.bitrate <= START_BITRATE).at(-1) ?? ascending[0];
  return start ? [start, ...ascending.filter((rendition) => rendition !== start)] : [];
}

/**
 * The multivariant playlist: one audio-only variant per rendition, with the
 * bandwidth measured on its segments (peak and average) and its codec.
 */
export function writeMasterPlaylist(renditions: StoredRendition[]): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const rendition of startFirst(renditions)) {
    lines.push(
      `#EXT-X-STREAM-INF:BANDWIDTH=${rendition.peakBandwidth},AVERAGE-BANDWIDTH=${rendition.averageBandwidth},CODECS="${rendition.codecs}"`,
      `${rendition.id}/index.m3u8`,
    );
  }
  lines.push('');
  return lines.join('\n');
}
