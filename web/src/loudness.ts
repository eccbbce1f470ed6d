import type { Loudness } from '@segue/api-client';

/** Streaming services play at about -14 LUFS; quieter and louder tracks are brought toward it. */
export const TARGET_LUFS = -14;
/** Normalising up never pushes a peak past this, so it never clips. */
const PEAK_CEILING_DBTP = -1;

/** The gain in dB that brings a track to the target without clipping; 0 when its loudness is unknown. */
export function normalisationGainDb(loudness: Loudness | null): number {
  if (loudness?.integratedLufs === null || loudness?.integratedLufs === undefined) return 0;
  const toTarget = TARGET_LUFS - loudness.integratedLufs;
  const headroom = loudness.truePeakDbtp === null ? toTarget : PEAK_CEILING_DBTP - loudness.truePeakDbtp;
  return Math.min(toTarget, headroom);
}

/**
 * Routes the element through a Web Audio gain. Made on first use: an
 * AudioContext may only start after a user gesture, and once an element is
 * routed through one it stays routed.
 */
export class LoudnessNormaliser {
  private gain: GainNode | null = null;
  private context: AudioContext | null = null;

  /** the gain applied when enabled; a track still processing has none until its loudness is measured */
  constructor(
    private readonly audio: HTMLMediaElement,
    public gainDb: number,
  ) {}

  set enabled(on: boolean) {
    if (on && !this.gain) {
      this.context = new AudioContext();
      this.gain = this.context.createGain();
      this.context.createMediaElementSource(this.audio).connect(this.gain).connect(this.context.destination);
    }
    if (this.gain) this.gain.gain.value = on ? 10 ** (this.gainDb / 20) : 1;
    void this.context?.resume();
  }

  close(): void {
    void this.context?.close();
  }
}
