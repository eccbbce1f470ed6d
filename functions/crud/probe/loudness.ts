import type { Loudness } from '../../core/schemas/track.js';

function number(summary: string, label: RegExp): number | null {
  const value = Number(label.exec(summary)?.[1]);
  return Number.isFinite(value) ? value : null;
}

/** ffmpeg reports silence as `-inf` or at its -70 LUFS floor: no loudness to speak of. */
const audible = (value: number | null) => (value !== null && value > -70 ? value : null);

/** Reads the summary that ffmpeg's `ebur128` filter prints when it ends. */
export function parseEbur128Summary(stderr: string): Loudness {
  const start = stderr.lastIndexOf('Summary:');
  if (start === -1) throw new Error('ffmpeg printed no loudness summary');
  const summary = stderr.slice(start);
  return {
    integratedLufs: audible(number(summary, /I:\s+(-?[\d.]+|-inf)\s+LUFS/)),
    truePeakDbtp: audible(number(summary, /Peak:\s+(-?[\d.]+|-inf)\s+dBFS/)),
    rangeLu: number(summary, /LRA:\s+(-?[\d.]+)\s+LU/),
  };
}
