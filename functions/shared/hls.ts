/** Segment length we ask ffmpeg for: Apple's HLS authoring spec recommends 6 s. */
export const SEGMENT_SECONDS = 6;

export const INIT_SEGMENT_FILE = 'init.mp4';

export const mediaSegmentFile = (index: number) => `${String(index).padStart(6, '0')}.m4s`;

/**
 * An upper bound on the segments a rendition of this duration can have. ffmpeg
 * cuts at the first frame past each 6 s mark, so segments are never much
 * shorter than that; the margin covers the short last one.
 */
export const maxSegmentCount = (durationSec: number) => Math.ceil(durationSec / (SEGMENT_SECONDS * 0.9)) + 2;
