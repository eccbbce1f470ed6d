/**
 * The audio's average bits per second over the whole file: what it weighs,
 * less the cover art it carries, over how long it decodes. Headers are not
 * trusted for this: a VBR MP3 without a Xing header reports the rate of its
 * first frames, far from its average. Tags and container framing are a
 * rounding error beside the audio.
 */
export function averageBitrate(fileBytes: number, coverBytes: number, durationSec: number): number | null {
  if (!(durationSec > 0) || fileBytes <= coverBytes) return null;
  return Math.round(((fileBytes - coverBytes) * 8) / durationSec);
}
