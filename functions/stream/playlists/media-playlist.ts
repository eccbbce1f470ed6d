import { INIT_SEGMENT_FILE, mediaSegmentFile, targetDurationOf } from '../../core/hls.js';

/** EXTINF durations as ffmpeg measured them, to the microsecond. */
const seconds = (value: number) => value.toFixed(6).replace(/\.?0+$/, '');

/** One rendition's segments within a media playlist: where its files are, relative to the playlist, and their durations. */
export interface MediaPart {
  /** '' for the playlist's own rendition; a relative path ending in `/` for another's */
  base: string;
  segmentDurations: number[];
}

/**
 * A media playlist written from a rendition's segment durations. A complete
 * one is VOD; a growing one is an EVENT playlist (segments are only ever
 * added after those listed, the first stays first) without an end, which
 * says to start at its beginning rather than at the live edge, and becomes
 * the VOD one, with the same segments, when the track is ready. Every URI is
 * relative to the playlist, so it works behind any gateway prefix.
 *
 * Several parts (the tracks of a playlist) play one after another: each
 * begins with a discontinuity and its own init segment, as a player needs
 * to go on from one encoding into the next without a pause.
 */
export function writeMediaPlaylist(parts: MediaPart[], complete: boolean): string {
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    `#EXT-X-TARGETDURATION:${targetDurationOf(parts.flatMap((part) => part.segmentDurations))}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    `#EXT-X-PLAYLIST-TYPE:${complete ? 'VOD' : 'EVENT'}`,
    '#EXT-X-INDEPENDENT-SEGMENTS',
    ...(complete ? [] : ['#EXT-X-START:TIME-OFFSET=0,PRECISE=YES']),
  ];
  parts.forEach(({ base, segmentDurations }, index) => {
    if (index > 0) lines.push('#EXT-X-DISCONTINUITY');
    lines.push(`#EXT-X-MAP:URI="${base}${INIT_SEGMENT_FILE}"`);
    segmentDurations.forEach((duration, segment) => {
      lines.push(`#EXTINF:${seconds(duration)},`, `${base}${mediaSegmentFile(segment)}`);
    });
  });
  if (complete) lines.push('#EXT-X-ENDLIST');
  lines.push('');
  return lines.join('\n');
}
