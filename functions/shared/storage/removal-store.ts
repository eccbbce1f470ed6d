import type { Collection } from 'mongodb';

/**
 * A removal under way: what it takes to find everything stored for a track
 * (segments and original chunks are found by their `_id`s, which these facts
 * give). Written before anything is removed and deleted once all of it is, so
 * a removal cut short (the database gone, the replica killed) is finished by
 * the sweeper rather than leaving parts nobody can find.
 */
export interface RemovalDocument {
  /** the track id */
  _id: string;
  /** `track`: a track being deleted; `upload`: an upload's stored parts, until its track exists */
  kind: 'track' | 'upload';
  originalBytes: number;
  durationSec: number;
  /** the original's SHA-256, whose fingerprint is released last (notes written before fingerprints have none) */
  sha256?: string;
  /** when it was begun; for an upload still arriving, when its last chunks were written */
  since: Date;
}

export class RemovalStore {
  constructor(private readonly removals: Collection<RemovalDocument>) {}

  async begin(removal: Omit<RemovalDocument, 'since'>): Promise<void> {
    await this.removals.replaceOne({ _id: removal._id }, { ...removal, since: new Date() }, { upsert: true });
  }

  get(trackId: string): Promise<RemovalDocument | null> {
    return this.removals.findOne({ _id: trackId });
  }

  /** An upload still arriving says so: its note is as young as its last chunks. */
  async touch(trackId: string): Promise<void> {
    await this.removals.updateOne({ _id: trackId }, { $set: { since: new Date() } });
  }

  async end(trackId: string): Promise<void> {
    await this.removals.deleteOne({ _id: trackId });
  }

  /** Removals not ended yet: a handful at most, each normally lasting a moment. */
  pending(): Promise<RemovalDocument[]> {
    return this.removals.find({}).toArray();
  }
}
