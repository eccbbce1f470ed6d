import { createHash } from 'node:crypto';
import type { Lease, StoredRendition, TrackDocument } from '../../functions/core/schemas/track.js';

/** Track documents written straight to the database, for tests and benchmarks that need no real audio. */

export function storedRendition(id: StoredRendition['id'], bitrate: number, durations: number[]): StoredRendition {
  return {
    id,
    codecs: 'mp4a.40.2',
    bitrate,
    channels: 2,
    sampleRate: 44100,
    peakBandwidth: Math.round(bitrate * 1.04),
    averageBandwidth: Math.round(bitrate * 1.01),
    segmentCount: durations.length,
    targetDuration: Math.max(...durations.map(Math.round)),
    durationSec: durations.reduce((sum, value) => sum + value, 0),
    segmentDurations: durations,
  };
}

/** A track as the crud function creates it: processing, under `lease`. */
export function processingTrack(id: string, lease: Lease, overrides: Partial<TrackDocument> = {}): TrackDocument {
  const now = new Date();
  return {
    _id: id,
    status: 'processing',
    progress: 0,
    error: null,
    title: `Track ${id}`,
    artist: null,
    album: null,
    year: null,
    genre: null,
    trackNumber: null,
    durationSec: 300,
    source: {
      filename: `${id}.mp3`,
      mimeType: 'audio/mpeg',
      container: 'MPEG',
      codec: 'MPEG 1 Layer 3',
      bitrate: 320_000,
      sampleRate: 44100,
      channels: 2,
      bitsPerSample: null,
      bytes: 12_000_000,
      sha256: createHash('sha256').update(id).digest('hex'),
    },
    loudness: null,
    peaks: Array.from({ length: 1000 }, (_, index) => Math.abs(Math.sin(index / 10))),
    hasCover: false,
    renditions: [],
    createdAt: now,
    updatedAt: now,
    lastAccessedAt: null,
    lease,
    ...overrides,
  };
}

/** A ready track with no stored audio, for tests that need many tracks to exist (a full playlist) but never play them. */
export function readyTrack(id: string): TrackDocument {
  const { lease: _, ...track } = processingTrack(id, { owner: 'none', until: new Date(0), attempts: 1 }, { status: 'ready', progress: 1, peaks: [] });
  return track;
}
