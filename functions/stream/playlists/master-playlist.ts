import type { RenditionId } from '../../core/schemas/track.js';

/** What the multivariant playlist says of a rendition. */
export interface Variant {
  id: RenditionId;
  /** the encoder's target, bits per second */
  bitrate: number;
  codecs: string;
  /** HLS `BANDWIDTH`: the peak segment bit rate */
  peakBandwidth: number;
  /** HLS `AVERAGE-BANDWIDTH`, once the whole rendition is there to be measured */
  averageBandwidth?: number;
}

/** Native players start on the first variant listed: the richest one at or under this bit rate. */
const START_BITRATE = 128_000;

function startFirst(variants: Variant[]): Variant[] {
  const ascending = [...variants].sort((a, b) => a.bitrate - b.bitrate);
  const start = ascending.filter((variant) => variant.bitrate <= START_BITRATE).at(-1) ?? ascending[0];
  return start ? [start, ...ascending.filter((variant) => variant !== start)] : [];
}

/**
 * The multivariant playlist: one audio-only variant per rendition, with the
 * bandwidth measured on its segments (peak, and average once complete) and
 * its codec. `query` goes on every variant's URI (`?v=…`, which version of a
 * playlist its media playlists must be).
 */
export function writeMasterPlaylist(variants: Variant[], query = ''): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const variant of startFirst(variants)) {
    const average = variant.averageBandwidth === undefined ? '' : `,AVERAGE-BANDWIDTH=${variant.averageBandwidth}`;
    lines.push(`#EXT-X-STREAM-INF:BANDWIDTH=${variant.peakBandwidth}${average},CODECS="${variant.codecs}"`, `${variant.id}/index.m3u8${query}`);
  }
  lines.push('');
  return lines.join('\n');
}
