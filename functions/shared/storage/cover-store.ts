import { Binary, type Collection } from 'mongodb';
import { contentEtag } from '../util/content-etag.js';

/** Cover art is small (embedded in the file's tags), so it lives in one document keyed by track id. */
export interface CoverDocument {
  _id: string;
  mimeType: string;
  bytes: number;
  /** a strong HTTP ETag of `data` */
  etag: string;
  data: Binary;
}

export class CoverStore {
  constructor(private readonly covers: Collection<CoverDocument>) {}

  async put(trackId: string, mimeType: string, data: Uint8Array): Promise<void> {
    await this.covers.replaceOne(
      { _id: trackId },
      { mimeType, bytes: data.length, etag: contentEtag(data), data: new Binary(data) },
      { upsert: true },
    );
  }

  get(trackId: string): Promise<CoverDocument | null> {
    return this.covers.findOne({ _id: trackId });
  }

  async delete(trackId: string): Promise<void> {
    await this.covers.deleteOne({ _id: trackId });
  }
}
