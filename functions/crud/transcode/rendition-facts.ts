import { AAC_LC, targetDurationOf } from '../../core/hls.js';
import { IncompleteOutputError } from './incomplete-output.js';
import type { StoredRendition } from '../../core/schemas/track.js';
import type { RenditionPlan } from './ladder.js';

export interface EncodedSegment {
  file: string;
  duration: number;
  bytes: number;
}

const round6 = (value: number) => Math.round(value * 1e6) / 1e6;

/**
 * RFC 8216 section 4.1: the peak segment bit rate is the largest bit rate of
 * any contiguous run of segments lasting 0.5 to 1.5 target durations, so a
 * last segment of one frame (mostly box overhead) does not count on its own.
 */
export function peakSegmentBitrate(segments: EncodedSegment[], targetDuration: number): number {
  let peak = 0;
  for (let start = 0; start < segments.length; start++) {
    let bits = 0;
    let seconds = 0;
    for (let end = start; end < segments.length && seconds + segments[end]!.duration <= 1.5 * targetDuration; end++) {
      bits += segments[end]!.bytes * 8;
      seconds += segments[end]!.duration;
      if (seconds >= 0.5 * targetDuration) peak = Math.max(peak, bits / seconds);
    }
  }
  if (peak > 0) return peak;
  // a track shorter than half a target duration: the whole of it is the only run there is
  const total = segments.reduce((sum, segment) => sum + segment.duration, 0);
  return segments.reduce((sum, segment) => sum + segment.bytes * 8, 0) / total;
}

/**
 * The facts the playlists are written from, measured on the segments
 * themselves: peak and average bit rate as HLS defines them and the target
 * duration as the longest segment rounded to the nearest second.
 */
export function renditionFacts(plan: RenditionPlan, segments: EncodedSegment[]): StoredRendition {
  if (segments.length === 0) throw new IncompleteOutputError(`rendition ${plan.id} has no segments`);
  const totalBits = segments.reduce((sum, segment) => sum + segment.bytes * 8, 0);
  const durationSec = segments.reduce((sum, segment) => sum + segment.duration, 0);
  const targetDuration = targetDurationOf(segments.map((segment) => segment.duration));
  return {
    id: plan.id,
    codecs: AAC_LC,
    bitrate: plan.bitrate,
    channels: plan.channels,
    sampleRate: plan.sampleRate,
    peakBandwidth: Math.ceil(peakSegmentBitrate(segments, targetDuration)),
    averageBandwidth: Math.ceil(totalBits / durationSec),
    segmentCount: segments.length,
    targetDuration,
    durationSec: round6(durationSec),
    segmentDurations: segments.map((segment) => segment.duration),
  };
}
