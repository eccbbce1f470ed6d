import { gzipSync } from 'node:zlib';
import { contentEtag } from '../../shared/util/content-etag.js';
import type { TrackDocument } from '../../core/schemas/track.js';
import type { TrackStore } from '../../shared/storage/track-store.js';

export interface CachedText {
  body: Buffer;
  /** compressed once, not per request */
  gzip: Buffer;
  etag: string;
}

/** Bounds the map: past this many tracks the oldest entry goes (it is reloaded if asked for again). */
const MAX_TRACKS = 10_000;

export interface TrackEntry {
  track: TrackDocument | null;
  loadedAt: number;
  texts: Map<string, CachedText>;
}

/** Weak: the same playlist may go out gzipped or not, and a strong ETag names one exact byte sequence. */
export const textEtag = (body: Buffer) => `W/${contentEtag(body)}`;

/**
 * What the stream function knows about each track, for a short while: every
 * request for a segment needs the track (is it ready, which renditions), and
 * this keeps that from costing a database read each time. A track deleted
 * elsewhere is noticed within `ttlMs`; one deleted in this process at once
 * (see `forget`).
 */
export class TrackCache {
  private readonly entries = new Map<string, TrackEntry>();
  private readonly loading = new Map<string, Promise<TrackEntry>>();

  constructor(
    private readonly tracks: TrackStore,
    private readonly ttlMs: number,
    private readonly onGone: (trackId: string) => void,
  ) {}

  /** What is known of a track; without waiting when it was read recently, which is nearly always. */
  lookup(trackId: string): TrackEntry | Promise<TrackEntry> {
    return this.fresh(trackId) ?? this.entry(trackId);
  }

  get(trackId: string): TrackDocument | null | Promise<TrackDocument | null> {
    const cached = this.fresh(trackId);
    return cached ? cached.track : this.entry(trackId).then((entry) => entry.track);
  }

  /** Text derived from a looked-up track (a playlist), made once per load of the track. */
  text(entry: TrackEntry, key: string, make: () => string): CachedText {
    let cached = entry.texts.get(key);
    if (!cached) {
      const body = Buffer.from(make());
      cached = { body, gzip: gzipSync(body), etag: textEtag(body) };
      entry.texts.set(key, cached);
    }
    return cached;
  }

  forget(trackId: string): void {
    this.entries.delete(trackId);
    this.onGone(trackId);
  }

  private fresh(trackId: string): TrackEntry | undefined {
    const cached = this.entries.get(trackId);
    return cached && Date.now() - cached.loadedAt < this.ttlMs ? cached : undefined;
  }

  private async entry(trackId: string): Promise<TrackEntry> {
    const cached = this.fresh(trackId);
    if (cached) return cached;
    // concurrent requests for one track share one read
    let pending = this.loading.get(trackId);
    if (!pending) {
      pending = this.load(trackId, this.entries.get(trackId)).finally(() => this.loading.delete(trackId));
      this.loading.set(trackId, pending);
    }
    return pending;
  }

  private async load(trackId: string, previous: TrackEntry | undefined): Promise<TrackEntry> {
    const track = await this.tracks.get(trackId);
    if (!track && previous?.track) this.onGone(trackId);
    const entry: TrackEntry = { track, loadedAt: Date.now(), texts: new Map() };
    this.entries.set(trackId, entry);
    if (this.entries.size > MAX_TRACKS) this.entries.delete(this.entries.keys().next().value!);
    return entry;
  }
}
