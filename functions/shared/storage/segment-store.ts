import { Binary, type AnyBulkWriteOperation, type Collection } from 'mongodb';
import { contentEtag } from '../util/content-etag.js';
import { INIT_SEGMENT_FILE, maxSegmentCount, mediaSegmentFile } from '../../core/hls.js';
import { RenditionIdSchema, type RenditionId } from '../../core/schemas/track.js';

/** `_id` is `<trackId>/<rendition>/<file>`, so the stream function reads a segment with one `_id` lookup. */
export interface SegmentDocument {
  _id: string;
  trackId: string;
  rendition: RenditionId;
  /** seconds; 0 for the init segment */
  duration: number;
  bytes: number;
  /** a strong HTTP ETag of `data`, made once when it is written */
  etag: string;
  data: Binary;
}

export const segmentId = (trackId: string, rendition: RenditionId, file: string) => `${trackId}/${rendition}/${file}`;

export interface SegmentInput {
  trackId: string;
  rendition: RenditionId;
  file: string;
  duration: number;
  data: Buffer;
}

/**
 * Longer than any gap a cut-short write can leave in a rung's run of segments
 * (a write is one batch of at most 8 MiB, under 50 segments at the top rung).
 */
const DELETE_RUN = 200;

const indexes = (first: number, count: number) => Array.from({ length: count }, (_, offset) => first + offset);

export class SegmentStore {
  constructor(private readonly segments: Collection<SegmentDocument>) {}

  /** Writes are replacements, so a job resumed after a crash overwrites what its predecessor left. */
  async putMany(inputs: SegmentInput[]): Promise<void> {
    if (inputs.length === 0) return;
    const operations: AnyBulkWriteOperation<SegmentDocument>[] = inputs.map((input) => {
      const _id = segmentId(input.trackId, input.rendition, input.file);
      return {
        replaceOne: {
          filter: { _id },
          replacement: {
            _id,
            trackId: input.trackId,
            rendition: input.rendition,
            duration: input.duration,
            bytes: input.data.length,
            etag: contentEtag(input.data),
            data: new Binary(input.data),
          },
          upsert: true,
        },
      };
    });
    await this.segments.bulkWrite(operations, { ordered: false });
  }

  get(id: string): Promise<SegmentDocument | null> {
    return this.segments.findOne({ _id: id });
  }

  /**
   * Deletes every segment of a track, one exact `_id` at a time: on an engine
   * that keeps no secondary indexes (the embedded one), a `{ trackId }` filter
   * would read every segment of every track. Each rung's segments are stored
   * in order from the first, so past the ones a track of this duration has,
   * deleting goes on a run of names at a time until a run finds none: a file
   * whose headers understated its length leaves nothing behind either.
   */
  async deleteForTrack(trackId: string, durationSec: number): Promise<void> {
    const surely = maxSegmentCount(durationSec);
    for (const rendition of RenditionIdSchema.options) {
      await this.deleteFiles(trackId, rendition, [INIT_SEGMENT_FILE, ...indexes(0, surely).map(mediaSegmentFile)]);
      for (let first = surely; ; first += DELETE_RUN) {
        if ((await this.deleteFiles(trackId, rendition, indexes(first, DELETE_RUN).map(mediaSegmentFile))) === 0) break;
      }
    }
  }

  private async deleteFiles(trackId: string, rendition: RenditionId, files: string[]): Promise<number> {
    const operations: AnyBulkWriteOperation<SegmentDocument>[] = files.map((file) => ({
      deleteOne: { filter: { _id: segmentId(trackId, rendition, file) } },
    }));
    const { deletedCount } = await this.segments.bulkWrite(operations, { ordered: false });
    return deletedCount;
  }
}
