import { createReadStream, createWriteStream } from 'node:fs';
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
    await pipeline(this.bucket.openDownloadStream(fileId(trackId)), createWriteStream(path), { signal });
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
