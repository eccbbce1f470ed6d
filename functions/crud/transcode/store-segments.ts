import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { INIT_SEGMENT_FILE } from '../../core/hls.js';
import type { RenditionId } from '../../core/schemas/track.js';
import type { SegmentInput, SegmentStore } from '../../shared/storage/segment-store.js';
import type { EncodedSegment } from './rendition-facts.js';
import { checkWholeFragment } from './incomplete-output.js';
import type { ListedSegment } from './transcode-rendition.js';

/** Bounds memory: at most this many segment bytes are read before they are written. */
const BATCH_BYTES = 8 * 1024 * 1024;

/**
 * Writes finished segment files of one rendition to the database a batch at a
 * time and removes them from disk, so neither memory nor temp space grows with
 * the length of the track. Resolves with each segment's size.
 */
export async function storeSegments(
  store: SegmentStore,
  trackId: string,
  rendition: RenditionId,
  dir: string,
  segments: ListedSegment[],
  signal: AbortSignal,
): Promise<EncodedSegment[]> {
  const stored: EncodedSegment[] = [];
  let batch: SegmentInput[] = [];
  let batchBytes = 0;
  const flush = async () => {
    signal.throwIfAborted();
    await store.putMany(batch);
    await Promise.all(batch.map((segment) => rm(join(dir, segment.file))));
    batch = [];
    batchBytes = 0;
  };
  for (const { file, duration } of segments) {
    const data = await readFile(join(dir, file));
    checkWholeFragment(data, file === INIT_SEGMENT_FILE ? 'init' : 'media', `${rendition}/${file}`);
    batch.push({ trackId, rendition, file, duration, data });
    stored.push({ file, duration, bytes: data.length });
    batchBytes += data.length;
    if (batchBytes >= BATCH_BYTES) await flush();
  }
  await flush();
  return stored;
}
