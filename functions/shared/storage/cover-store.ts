import { Binary, type Collection } from 'mongodb';
import { contentEtag } from '../util/content-etag.js';

/** The cover resized for pages that show it small (WebP). */
export interface StoredCoverSize {
  width: number;
  height: number;
  bytes: number;
  etag: string;
  data: Binary;
}

/**
 * Cover art is small (embedded in the file's tags), so it lives in one
 * document keyed by track id, with its sizes: whatever removes the cover
 * removes them too.
 */
export interface CoverDocument {
  _id: string;
  mimeType: string;
  bytes: number;
  /** a strong HTTP ETag of `data` */
  etag: string;
  data: Binary;
  /** smallest first; absent for covers kept before sizes were made */
  sizes?: StoredCoverSize[];
}

export interface CoverSizeInput {
  width: number;
  height: number;
  data: Uint8Array;
}

export class CoverStore {
  constructor(private readonly covers: Collection<CoverDocument>) {}

  async put(trackId: string, mimeType: string, data: Uint8Array, sizes: CoverSizeInput[] = []): Promise<void> {
    await this.covers.replaceOne(
      { _id: trackId },
      {
        mimeType,
        bytes: data.length,
        etag: contentEtag(data),
        data: new Binary(data),
        sizes: sizes.map(({ width, height, data }) => ({ width, height, bytes: data.length, etag: contentEtag(data), data: new Binary(data) })),
      },
      { upsert: true },
    );
  }

  get(trackId: string): Promise<CoverDocument | null> {
    return this.covers.findOne({ _id: trackId });
  }

  /** One size of a cover, read without the original beside it. */
  async getSize(trackId: string, width: number): Promise<StoredCoverSize | undefined> {
    const cover = await this.covers.findOne({ _id: trackId }, { projection: { sizes: 1 } });
    return cover?.sizes?.find((size) => size.width === width);
  }

  async delete(trackId: string): Promise<void> {
    await this.covers.deleteOne({ _id: trackId });
  }
}
