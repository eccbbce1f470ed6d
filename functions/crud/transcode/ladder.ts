import type { RenditionId } from '../../core/schemas/track.js';

export interface RenditionPlan {
  id: RenditionId;
  /** bits per second */
  bitrate: number;
  channels: 1 | 2;
  sampleRate: 44100 | 48000;
}

const RUNGS: ReadonlyArray<{ id: RenditionId; bitrate: number }> = [
  { id: 'a64', bitrate: 64_000 },
  { id: 'a128', bitrate: 128_000 },
  { id: 'a256', bitrate: 256_000 },
];

/**
 * How far a source's bits go against AAC-LC's, the ladder's codec: what a
 * listener hears from a kilobit of each, roughly, from listening tests at
 * everyday rates. Lossless sources hold everything any rung needs.
 */
function aacEquivalence(codec: string): number {
  const name = codec.toLowerCase();
  if (/flac|alac|pcm|wavpack|monkey|\bape\b|tta|lossless/.test(name)) return Number.POSITIVE_INFINITY;
  if (name.includes('opus')) return 2;
  if (name.includes('vorbis')) return 1.5;
  if (/aac|mp4a/.test(name)) return 1;
  if (/layer 3|mp3/.test(name)) return 0.85;
  if (/layer 2|mp2|ac-?3/.test(name)) return 0.65;
  return 1;
}

/**
 * Room above what a lossy source holds, since a second lossy encoding adds
 * its own loss: the rung that carries the source whole is one this much
 * richer. It also absorbs a VBR file's average falling just short.
 */
const GENERATION_HEADROOM = 1.5;

export interface SourceLayout {
  codec: string;
  /** the audio's average bits per second over the whole file; null when unknown */
  bitrate: number | null;
  channels: number;
  sampleRate: number;
}

/**
 * The rungs worth making from this source: those up to what its bits are
 * worth in AAC-LC, with room for a second generation's loss (a lossless or
 * unknown-rate source earns all), always at least the lowest. Mono stays
 * mono, anything wider is downmixed to stereo, and the rate is the nearest of
 * AAC's two everyday rates in the source's family.
 */
export function planLadder(source: SourceLayout): RenditionPlan[] {
  const channels = source.channels === 1 ? 1 : 2;
  const sampleRate = source.sampleRate % 8000 === 0 ? 48000 : 44100;
  const worth = source.bitrate === null ? Number.POSITIVE_INFINITY : source.bitrate * aacEquivalence(source.codec) * GENERATION_HEADROOM;
  const earned = RUNGS.filter((rung) => rung.bitrate <= worth);
  return (earned.length > 0 ? earned : RUNGS.slice(0, 1)).map((rung) => ({ ...rung, channels, sampleRate }));
}
