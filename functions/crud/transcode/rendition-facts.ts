import type { StoredRendition } from '../../shared/schemas/track.js';
import type { RenditionPlan } from './ladder.js';

export interface EncodedSegment {
  file: string;
  duration: number;
  bytes: number;
}

/**
 * The facts the playlists are written from, measured on the segments
 * themselves: peak and average bit rate as HLS defines them (RFC 8216 4.3.4.2)
 * and the target duration as the longest segment rounded to the nearest second.
 */
export function renditionFacts(plan: RenditionPlan, segments: EncodedSegment[]): StoredRendition {
  if (segments.length === 0) throw new Error(`rendition ${plan.id} has no segments`);
  const totalBits = segments.reduce((sum, segment) => sum + segment.bytes * 8, 0);
  const durationSec = segments.reduce((sum, segment) => sum + segment.duration, 0);
  const peak = Math.max(...segments.map((segment) => (segment.bytes * 8) / segment.duration));
  return {
    id: plan.id,
    codecs: 'mp4a.40.2',
    bitrate: plan.bitrate,
    channels: plan.channels,
    sampleRate: plan.sampleRate,
    peakBandwidth: Math.ceil(peak),
    averageBandwidth: Math.ceil(totalBits / durationSec),
    segmentCount: segments.length,
    targetDuration: Math.max(1, ...segments.map((segment) => Math.round(segment.duration))),
    durationSec,
    segmentDurations: segments.map((segment) => segment.duration),
  };
}
