import { type Collection, MongoServerError } from 'mongodb';

/**
 * Which track holds the bytes of a given SHA-256: one document per distinct
 * original, keyed by the hash, so that every read is an `_id` lookup and the
 * unique `_id` makes claiming atomic on any engine.
 */
export interface FingerprintDocument {
  /** the original's SHA-256, hex */
  _id: string;
  trackId: string;
  /** when the claim was made, or last confirmed by the upload still turning it into its track */
  claimedAt: Date;
}

const DUPLICATE_KEY = 11000;

export class FingerprintStore {
  constructor(private readonly fingerprints: Collection<FingerprintDocument>) {}

  /** Claims the bytes for the track about to be made; false when another track (or an upload under way) holds them. */
  async claim(sha256: string, trackId: string): Promise<boolean> {
    try {
      await this.fingerprints.insertOne({ _id: sha256, trackId, claimedAt: new Date() });
      return true;
    } catch (error) {
      if (error instanceof MongoServerError && error.code === DUPLICATE_KEY) return false;
      throw error;
    }
  }

  get(sha256: string): Promise<FingerprintDocument | null> {
    return this.fingerprints.findOne({ _id: sha256 });
  }

  /** Says the upload holding the claim is still at work; false when the claim is no longer its own. */
  async renew(sha256: string, trackId: string): Promise<boolean> {
    const { matchedCount } = await this.fingerprints.updateOne({ _id: sha256, trackId }, { $set: { claimedAt: new Date() } });
    return matchedCount === 1;
  }

  /** Takes over a claim exactly as it was read; false when it changed meanwhile (someone else took it, or renewed it). */
  async takeOver(held: FingerprintDocument, trackId: string): Promise<boolean> {
    const { matchedCount } = await this.fingerprints.updateOne(
      { _id: held._id, trackId: held.trackId, claimedAt: held.claimedAt },
      { $set: { trackId, claimedAt: new Date() } },
    );
    return matchedCount === 1;
  }

  /** Lets the bytes go, if this track still holds them: releasing twice, or after a takeover, changes nothing. */
  async release(sha256: string, trackId: string): Promise<void> {
    await this.fingerprints.deleteOne({ _id: sha256, trackId });
  }
}
