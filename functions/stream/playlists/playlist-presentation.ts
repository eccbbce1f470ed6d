import type { RenditionId, StoredRendition } from '../../core/schemas/track.js';
import type { Variant } from './master-playlist.js';
import type { MediaPart } from './media-playlist.js';

/** A ready track of a playlist, as its presentation needs it: its id and its complete renditions. */
export interface PresentedTrack {
  id: string;
  renditions: StoredRendition[];
}

/** Where a track's own files are, seen from a playlist's media playlist (`playlists/<id>/<rung>/index.m3u8`). */
const trackBase = (trackId: string, rendition: RenditionId) => `../../../tracks/${trackId}/${rendition}/`;

/**
 * The rendition a track plays at in a variant of its playlist: its richest at
 * or under the variant's bit rate, or its poorest when even that is above it
 * (a ladder is cut by what its source is worth, so tracks differ in rungs).
 */
export function renditionAt(track: PresentedTrack, bitrate: number): StoredRendition {
  const ascending = [...track.renditions].sort((a, b) => a.bitrate - b.bitrate);
  const fitting = ascending.filter((rendition) => rendition.bitrate <= bitrate);
  return fitting.at(-1) ?? ascending[0]!;
}

/**
 * A playlist as one HLS presentation: a variant per rung any of its tracks
 * has, each playing the tracks one after another at their nearest rendition,
 * so a player buffers the next track ahead like any later segment and goes on
 * into it without a gap. BANDWIDTH is the highest peak the variant plays.
 */
export function playlistVariants(tracks: PresentedTrack[]): Variant[] {
  const rungs = new Map<RenditionId, number>();
  for (const rendition of tracks.flatMap((track) => track.renditions)) rungs.set(rendition.id, rendition.bitrate);
  return [...rungs].map(([id, bitrate]) => {
    const played = tracks.map((track) => renditionAt(track, bitrate));
    const seconds = played.reduce((sum, rendition) => sum + rendition.durationSec, 0);
    const bits = played.reduce((sum, rendition) => sum + rendition.averageBandwidth * rendition.durationSec, 0);
    return {
      id,
      bitrate,
      codecs: played[0]!.codecs,
      peakBandwidth: played.reduce((peak, rendition) => Math.max(peak, rendition.peakBandwidth), 0),
      averageBandwidth: Math.round(bits / seconds),
    };
  });
}

/** The parts of a variant's media playlist: each track's segments at its rendition for that variant. */
export function playlistParts(tracks: PresentedTrack[], variant: RenditionId): MediaPart[] | null {
  const bitrate = tracks.flatMap((track) => track.renditions).find((rendition) => rendition.id === variant)?.bitrate;
  if (bitrate === undefined) return null;
  return tracks.map((track) => {
    const rendition = renditionAt(track, bitrate);
    return { base: trackBase(track.id, rendition.id), segmentDurations: rendition.segmentDurations };
  });
}
