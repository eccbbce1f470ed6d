import { gzipSync } from 'node:zlib';
import { LRUCache } from 'lru-cache';
import { contentEtag } from '../../shared/util/content-etag.js';
import type { TrackDocument } from '../../core/schemas/track.js';
import type { TrackStore } from '../../shared/storage/track-store.js';

export interface CachedText {
  body: Buffer;
  /** compressed once, not per request */
  gzip: Buffer;
  etag: string;
}

/** Bounds the cache: past this many tracks the least recently used goes (it is reloaded if asked for again). */
const MAX_TRACKS = 10_000;

export interface TrackEntry {
  track: TrackDocument | null;
  texts: Map<string, CachedText>;
}

/** Weak: the same playlist may go out gzipped or not, and a strong ETag names one exact byte sequence. */
export const textEtag = (body: Buffer) => `W/${contentEtag(body)}`;

/**
 * What the stream function knows about each track, for a short while: every
 * request for a segment needs the track (is it ready, which renditions), and
 * this keeps that from costing a database read each time. A track deleted
 * elsewhere is noticed within `ttlMs` (0: every request reads it); one deleted
 * in this process at once (see `forget`). Concurrent requests for a track that
 * is not at hand share one read.
 */
export class TrackCache {
  private readonly entries: LRUCache<string, TrackEntry>;
  /** lru-cache takes a ttl of 0 as "forever", so a TTL of 0 is kept as "never trusted" here */
  private readonly trusted: boolean;

  constructor(
    tracks: TrackStore,
    ttlMs: number,
    private readonly onGone: (trackId: string) => void,
  ) {
    this.trusted = ttlMs > 0;
    this.entries = new LRUCache<string, TrackEntry>({
      max: MAX_TRACKS,
      ttl: ttlMs,
      // an expired entry stays until it is reloaded (a failed reload too), so that the reload can tell a track that went away
      noDeleteOnStaleGet: true,
      noDeleteOnFetchRejection: true,
      // a read cut short by `forget` or by eviction still answers the requests waiting on it; it is just not kept
      ignoreFetchAbort: true,
      fetchMethod: async (trackId, previous) => {
        const track = await tracks.get(trackId);
        if (!track && previous?.track) onGone(trackId);
        return { track, texts: new Map() };
      },
    });
  }

  /** What is known of a track; without waiting when it was read recently, which is nearly always. */
  lookup(trackId: string): TrackEntry | Promise<TrackEntry> {
    return this.fresh(trackId) ?? this.load(trackId);
  }

  get(trackId: string): TrackDocument | null | Promise<TrackDocument | null> {
    const cached = this.fresh(trackId);
    return cached ? cached.track : this.load(trackId).then((entry) => entry.track);
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
    return this.trusted ? this.entries.get(trackId) : undefined;
  }

  private load(trackId: string): Promise<TrackEntry> {
    return this.entries.forceFetch(trackId, { forceRefresh: !this.trusted });
  }
}
