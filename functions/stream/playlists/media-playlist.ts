import { INIT_SEGMENT_FILE, mediaSegmentFile } from '../../shared/hls.js';
import type { StoredRendition } from '../../shared/schemas/track.js';

/** EXTINF durations as ffmpeg measured them, to the microsecond. */
const seconds = (value: number) => value.toFixed(6).replace(/\.?0+$/, '');

/**
 * A VOD media playlist written from the rendition's stored facts. Every URI is
 * relative to the playlist, so it works behind any gateway prefix.
 */
export function writeMediaPlaylist(rendition: StoredRendition): string {
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    `#EXT-X-TARGETDURATION:${rendition.targetDuration}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-INDEPENDENT-SEGMENTS',
    `#EXT-X-MAP:URI="${INIT_SEGMENT_FILE}"`,
  ];
  rendition.segmentDurations.forEach((duration, index) => {
    lines.push(`#EXTINF:${seconds(duration)},`, mediaSegmentFile(index));
  });
  lines.push('#EXT-X-ENDLIST', '');
  return lines.join('\n');
}
