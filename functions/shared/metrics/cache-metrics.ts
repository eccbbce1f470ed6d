import { Counter, Gauge } from 'prom-client';
import type { Registry } from './registry.js';

/** What a cache counts of itself. */
export interface CacheStats {
  hits: number;
  misses: number;
  bytes: number;
}

/**
 * The stream function's segment cache, read at each scrape rather than
 * counted on the hot path: its hits and misses (hit ratio:
 * `rate(…{result="hit"}) / rate(…)`), and the bytes it holds.
 */
export function watchSegmentCache(registry: Registry, cache: CacheStats): void {
  const registers = [registry];
  new Counter({
    name: 'segue_stream_cache_lookups_total',
    help: 'Lookups in the stream function\'s segment and cover cache, by result: hit (served from memory) or miss',
    labelNames: ['result'],
    registers,
    collect() {
      this.reset();
      this.inc({ result: 'hit' }, cache.hits);
      this.inc({ result: 'miss' }, cache.misses);
    },
  });
  new Gauge({
    name: 'segue_stream_cache_size_bytes',
    help: 'Bytes the stream function\'s segment and cover cache holds (at most STREAM_CACHE_BYTES)',
    registers,
    collect() {
      this.set(cache.bytes);
    },
  });
}
