/**
 * A duration as a clock shows it: 3725.4 → "1:02:05", 65 → "1:05".
 *
 * @example
 * label.textContent = formatDuration(track.durationSec);
 */
export function formatDuration(seconds: number): string {
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
