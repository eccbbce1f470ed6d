import type { RenditionId } from '../../shared/schemas/track.js';

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

/** VBR files report an average, so a "256k" MP3 may say 245k; it still earns the 256k rung. */
const BITRATE_SLACK = 1.1;

export interface SourceLayout {
  bitrate: number | null;
  channels: number;
  sampleRate: number;
}

/**
 * The rungs worth making from this source: none above the bit rate the source
 * holds (an unknown bit rate allows all), always at least the lowest. Mono
 * stays mono, anything wider is downmixed to stereo, and the rate is the
 * nearest of AAC's two everyday rates in the source's family.
 */
export function planLadder(source: SourceLayout): RenditionPlan[] {
  const channels = source.channels === 1 ? 1 : 2;
  const sampleRate = source.sampleRate % 8000 === 0 ? 48000 : 44100;
  const affordable = RUNGS.filter(
    (rung) => source.bitrate === null || rung.bitrate <= source.bitrate * BITRATE_SLACK,
  );
  return (affordable.length > 0 ? affordable : RUNGS.slice(0, 1)).map((rung) => ({ ...rung, channels, sampleRate }));
}
