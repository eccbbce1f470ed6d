import type { Playlist, PlaylistSummary } from '../../../functions/core/schemas/playlist.js';
import type { Track } from '../../../functions/core/schemas/track.js';
import { APIError } from '../errors.js';
import { formatDuration } from '../format.js';

/** The id the service gave a failed request, to quote when reporting a problem; null for any other error. */
export function requestIdOf(error: unknown): string | null {
  return error instanceof APIError ? error.requestId : null;
}

/** An error as the CLI says it: its message, then the request id when the service gave one. */
export function describeError(error: Error): string {
  const requestId = requestIdOf(error);
  return requestId === null ? error.message : `${error.message} (request id: ${requestId})`;
}

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

/** Rows under a header, every column but the last padded to its widest cell. */
function table(header: string[], rows: string[][]): string {
  const widths = header.slice(0, -1).map((title, index) => Math.max(title.length, ...rows.map((row) => row[index]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, index) => (index < widths.length ? cell.padEnd(widths[index]!) : cell)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** One line per track, columns aligned: id, status, duration, artist – title. */
export function trackTable(tracks: Track[]): string {
  const rows = tracks.map((track) => [
    track.id,
    track.status,
    formatDuration(track.durationSec),
    track.artist ? `${track.artist} – ${track.title}` : track.title,
  ]);
  return table(['ID', 'STATUS', 'DURATION', 'TRACK'], rows);
}

/** One line per playlist: id, how many tracks, name. */
export function playlistTable(playlists: PlaylistSummary[]): string {
  return table(['ID', 'TRACKS', 'NAME'], playlists.map((playlist) => [playlist.id, String(playlist.trackCount), playlist.name]));
}

/** `name:` padded to a column, then the value; nothing for a value there is not. */
const field = (name: string, value: unknown) => (value === null || value === undefined ? [] : [`${`${name}:`.padEnd(12)}${value}`]);

export function trackDetails(track: Track, urls: { master: string; share: string }): string {
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

/** The playlist's facts, then its tracks in playing order. */
export function playlistDetails(playlist: Playlist, share: string): string {
  const length = playlist.tracks.reduce((sum, track) => sum + track.durationSec, 0);
  return [
    ...field('id', playlist.id),
    ...field('name', playlist.name),
    ...field('about', playlist.description || null),
    ...field('tracks', `${playlist.tracks.length} (${formatDuration(length)})`),
    ...field('share', share),
    ...(playlist.tracks.length ? ['', trackTable(playlist.tracks)] : []),
  ].join('\n');
}
