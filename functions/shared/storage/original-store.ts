import { createReadStream, createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type GridFSBucket, MongoRuntimeError, type ObjectId } from 'mongodb';

export interface OriginalMetadata {
  filename: string;
  mimeType: string;
  sha256: string;
}

/**
 * GridFS allows any `_id`, but the driver's types only name ObjectId. Using the
 * track id makes every read of an original a direct `_id` lookup of its file.
 */
const fileId = (trackId: string) => trackId as unknown as ObjectId;

/** The uploaded file as it came, one GridFS file per track whose `_id` is the track id. */
export class OriginalStore {
  constructor(private readonly bucket: GridFSBucket) {}

  async save(trackId: string, path: string, metadata: OriginalMetadata, signal?: AbortSignal): Promise<void> {
    const upload = this.bucket.openUploadStreamWithId(fileId(trackId), metadata.filename, { metadata });
    try {
      await pipeline(createReadStream(path), upload, { signal });
    } catch (error) {
      await this.delete(trackId);
      throw error;
    }
  }

  async downloadTo(trackId: string, path: string, signal?: AbortSignal): Promise<void> {
    await pipeline(this.open(trackId), createWriteStream(path), { signal });
  }

  /** The stored size in bytes, or null when there is no original. */
  async size(trackId: string): Promise<number | null> {
    const [file] = await this.bucket.find({ _id: fileId(trackId) }, { limit: 1 }).toArray();
    return file ? file.length : null;
  }

  /** Streams the original, or the inclusive byte range `start`..`end` of it. */
  open(trackId: string, range?: { start: number; end: number }): Readable {
    return this.bucket.openDownloadStream(fileId(trackId), range ? { start: range.start, end: range.end + 1 } : {});
  }

  /** Deleting what is not there is not an error: deletes are retried after partial failures. */
  async delete(trackId: string): Promise<void> {
    try {
      await this.bucket.delete(fileId(trackId));
    } catch (error) {
      if (error instanceof MongoRuntimeError && /File not found/i.test(error.message)) return;
      throw error;
    }
  }
}
