import type { Track } from '../../../functions/shared/schemas/track.js';
import { formatDuration } from '../format.js';

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** One line per track, columns aligned: id, status, duration, artist – title. */
export function trackTable(tracks: Track[]): string {
  const rows = tracks.map((track) => [
    track.id,
    track.status,
    formatDuration(track.durationSec),
    track.artist ? `${track.artist} – ${track.title}` : track.title,
  ]);
  const widths = [12, Math.max(6, ...rows.map((row) => row[1]!.length)), Math.max(8, ...rows.map((row) => row[2]!.length))];
  const line = (cells: string[]) =>
    cells.map((cell, index) => (index < widths.length ? cell.padEnd(widths[index]!) : cell)).join('  ').trimEnd();
  return [line(['ID', 'STATUS', 'DURATION', 'TRACK']), ...rows.map(line)].join('\n');
}

export function trackDetails(track: Track, urls: { master: string; share: string }): string {
  const field = (name: string, value: unknown) => (value === null || value === undefined ? [] : [`${`${name}:`.padEnd(12)}${value}`]);
  const loudness = track.loudness?.integratedLufs;
  return [
    ...field('id', track.id),
    ...field('status', track.status === 'processing' ? `processing ${Math.round(track.progress * 100)}%` : track.status),
    ...field('error', track.error?.message),
    ...field('title', track.title),
    ...field('artist', track.artist),
    ...field('album', track.album),
    ...field('year', track.year),
    ...field('genre', track.genre),
    ...field('track', track.trackNumber),
    ...field('duration', formatDuration(track.durationSec)),
    ...field('source', `${track.source.filename} (${track.source.codec}, ${formatBytes(track.source.bytes)})`),
    ...field('renditions', track.renditions.map((rendition) => rendition.id).join(', ') || null),
    ...field('loudness', loudness === null || loudness === undefined ? null : `${loudness.toFixed(1)} LUFS`),
    ...field('playlist', urls.master),
    ...field('share', urls.share),
  ].join('\n');
}
