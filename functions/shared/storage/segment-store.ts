import { Binary, type AnyBulkWriteOperation, type Collection } from 'mongodb';
import { contentEtag } from '../util/content-etag.js';
import { INIT_SEGMENT_FILE, maxSegmentCount, mediaSegmentFile } from '../hls.js';
import { RenditionIdSchema, type RenditionId } from '../schemas/track.js';

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
   * Deletes every segment a track of this duration can have, one exact `_id`
   * at a time: on an engine that keeps no secondary indexes (the embedded
   * one), a `{ trackId }` filter would read every segment of every track.
   */
  async deleteForTrack(trackId: string, durationSec: number): Promise<void> {
    const files = [INIT_SEGMENT_FILE];
    for (let index = 0; index < maxSegmentCount(durationSec); index++) files.push(mediaSegmentFile(index));
    const operations: AnyBulkWriteOperation<SegmentDocument>[] = RenditionIdSchema.options.flatMap((rendition) =>
      files.map((file) => ({ deleteOne: { filter: { _id: segmentId(trackId, rendition, file) } } })),
    );
    await this.segments.bulkWrite(operations, { ordered: false });
  }
}
