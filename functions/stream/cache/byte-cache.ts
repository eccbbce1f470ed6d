import { LRUCache } from 'lru-cache';

export interface CachedBytes {
  data: Buffer;
  etag: string;
  contentType: string;
}

/**
 * Segments and covers by id (`<trackId>/…`), bounded by their total bytes: a
 * popular segment is served from memory with no database round trip.
 */
export class ByteCache {
  private readonly cache: LRUCache<string, CachedBytes>;
  /** lookups answered from memory, and those that were not, since the start */
  hits = 0;
  misses = 0;

  constructor(maxBytes: number) {
    this.cache = new LRUCache<string, CachedBytes>({
      maxSize: Math.max(1, maxBytes),
      sizeCalculation: (segment) => Math.max(1, segment.data.length),
    });
  }

  get(id: string): CachedBytes | undefined {
    const cached = this.cache.get(id);
    if (cached) this.hits++;
    else this.misses++;
    return cached;
  }

  set(id: string, segment: CachedBytes): void {
    this.cache.set(id, segment);
  }

  /** Drops everything cached for a track, so nothing of it is served after it is gone. */
  forgetTrack(trackId: string): void {
    const prefix = `${trackId}/`;
    for (const id of this.cache.keys()) if (id.startsWith(prefix)) this.cache.delete(id);
  }

  get bytes(): number {
    return this.cache.calculatedSize;
  }
}
