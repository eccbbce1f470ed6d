import { INIT_SEGMENT_FILE, mediaSegmentFile, targetDurationOf } from '../../shared/hls.js';

/** EXTINF durations as ffmpeg measured them, to the microsecond. */
const seconds = (value: number) => value.toFixed(6).replace(/\.?0+$/, '');

/**
 * A media playlist written from a rendition's segment durations. A complete
 * one is VOD; a growing one is an EVENT playlist (segments are only ever
 * added after those listed, the first stays first) without an end, which
 * says to start at its beginning rather than at the live edge, and becomes
 * the VOD one, with the same segments, when the track is ready. Every URI is
 * relative to the playlist, so it works behind any gateway prefix.
 */
export function writeMediaPlaylist(segmentDurations: number[], complete: boolean): string {
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    `#EXT-X-TARGETDURATION:${targetDurationOf(segmentDurations)}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    `#EXT-X-PLAYLIST-TYPE:${complete ? 'VOD' : 'EVENT'}`,
    '#EXT-X-INDEPENDENT-SEGMENTS',
    ...(complete ? [] : ['#EXT-X-START:TIME-OFFSET=0,PRECISE=YES']),
    `#EXT-X-MAP:URI="${INIT_SEGMENT_FILE}"`,
  ];
  segmentDurations.forEach((duration, index) => {
    lines.push(`#EXTINF:${seconds(duration)},`, mediaSegmentFile(index));
  });
  if (complete) lines.push('#EXT-X-ENDLIST');
  lines.push('');
  return lines.join('\n');
}
