import type { Collection } from 'mongodb';

/**
 * A resumable (tus) upload. Its id is the id of the track it becomes, and its
 * bytes are that track's original chunks from the first PATCH, so they are
 * stored once (finishing copies them to a temp file for ffmpeg, as a direct
 * upload is staged). Every replica reads and writes it by `_id`: any of them
 * continues an upload another one began.
 */
export interface UploadDocument {
  _id: string;
  /** Upload-Length */
  length: number;
  /** the bytes stored and acknowledged so far */
  offset: number;
  filename: string;
  /** the client's word only: what a file is is read from its bytes */
  filetype: string | null;
  /** the SHA-256 the client says the file has: a complete upload that differs is refused, and nothing kept */
  sha256: string | null;
  fields: Record<string, string>;
  createdAt: Date;
  /** an unfinished upload is removed with its bytes after this; a finished one only forgets its track */
  expiresAt: Date;
  /** the track it became (its own id, or the track that already held these bytes) */
  trackId: string | null;
  /** the replica turning it into a track, while its claim lasts */
  finishing: { owner: string; until: Date } | null;
}

export class UploadStore {
  constructor(private readonly uploads: Collection<UploadDocument>) {}

  async create(upload: UploadDocument): Promise<void> {
    await this.uploads.insertOne(upload);
  }

  get(id: string): Promise<UploadDocument | null> {
    return this.uploads.findOne({ _id: id });
  }

  /** Moves the offset forward, never back: a late write of an earlier PATCH does not undo a later one. */
  async advance(id: string, offset: number): Promise<void> {
    await this.uploads.updateOne({ _id: id, offset: { $lt: offset } }, { $set: { offset } });
  }

  /** Claims the finish for `owner` unless another replica's claim still lasts; false when it does, or it is done. */
  async claimFinish(id: string, owner: string, until: Date): Promise<boolean> {
    const { matchedCount } = await this.uploads.updateOne(
      { _id: id, trackId: null, $or: [{ finishing: null }, { 'finishing.until': { $lt: new Date() } }, { 'finishing.owner': owner }] },
      { $set: { finishing: { owner, until } } },
    );
    return matchedCount === 1;
  }

  async renewFinish(id: string, owner: string, until: Date): Promise<void> {
    await this.uploads.updateOne({ _id: id, 'finishing.owner': owner }, { $set: { 'finishing.until': until } });
  }

  async releaseFinish(id: string, owner: string): Promise<void> {
    await this.uploads.updateOne({ _id: id, 'finishing.owner': owner }, { $set: { finishing: null } });
  }

  async finished(id: string, trackId: string): Promise<void> {
    await this.uploads.updateOne({ _id: id }, { $set: { trackId, finishing: null } });
  }

  async delete(id: string): Promise<void> {
    await this.uploads.deleteOne({ _id: id });
  }

  /** Every upload not yet expired and swept: those of the last UPLOAD_EXPIRY_HOURS, read whole by the sweeper. */
  all(): Promise<UploadDocument[]> {
    return this.uploads.find({}).toArray();
  }
}
