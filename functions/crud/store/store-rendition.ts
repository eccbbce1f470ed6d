import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { INIT_SEGMENT_FILE } from '../../shared/hls.js';
import type { RenditionId } from '../../shared/schemas/track.js';
import type { SegmentInput, SegmentStore } from '../../shared/storage/segment-store.js';
import type { EncodedRendition } from '../transcode/transcode-rendition.js';

/** Bounds memory: at most this many segment bytes are read before they are written. */
const BATCH_BYTES = 8 * 1024 * 1024;

/** Writes a rendition's init segment and media segments, a batch at a time. */
export async function storeRendition(
  segments: SegmentStore,
  trackId: string,
  rendition: RenditionId,
  encoded: EncodedRendition,
  signal: AbortSignal,
): Promise<void> {
  const files = [{ file: INIT_SEGMENT_FILE, duration: 0 }, ...encoded.segments];
  let batch: SegmentInput[] = [];
  let batchBytes = 0;
  const flush = async () => {
    signal.throwIfAborted();
    await segments.putMany(batch);
    batch = [];
    batchBytes = 0;
  };
  for (const { file, duration } of files) {
    const data = await readFile(join(encoded.dir, file));
    batch.push({ trackId, rendition, file, duration, data });
    batchBytes += data.length;
    if (batchBytes >= BATCH_BYTES) await flush();
  }
  await flush();
}
