/** Segment length we ask ffmpeg for: Apple's HLS authoring spec recommends 6 s. */
export const SEGMENT_SECONDS = 6;

export const INIT_SEGMENT_FILE = 'init.mp4';

/** Every rung's codec, as RFC 6381 names it for HLS `CODECS`: AAC-LC. */
export const AAC_LC = 'mp4a.40.2';

export const mediaSegmentFile = (index: number) => `${String(index).padStart(6, '0')}.m4s`;

/**
 * An upper bound on the segments a rendition of this duration can have. ffmpeg
 * cuts at the first frame past each 6 s mark, so segments are never much
 * shorter than that; the margin covers the short last one.
 */
export const maxSegmentCount = (durationSec: number) => Math.ceil(durationSec / (SEGMENT_SECONDS * 0.9)) + 2;

/**
 * HLS `EXT-X-TARGETDURATION`: the longest segment, rounded to the nearest second. A loop, not `Math.max(...)`:
 * a playlist of long tracks has more segments than a call can take arguments.
 */
export const targetDurationOf = (segmentDurations: number[]) =>
  segmentDurations.reduce((longest, duration) => Math.max(longest, Math.round(duration)), 1);
