import type { Collection, Filter, UpdateFilter } from 'mongodb';
import { escapeRegExp } from '../util/escape-regexp.js';
import {
  type GrowingRendition,
  type Lease,
  type Loudness,
  type RenditionId,
  type StoredRendition,
  type TrackDocument,
  TrackDocumentSchema,
  type TrackError,
  type TrackListQuery,
  type TrackUpdate,
} from '../../core/schemas/track.js';
import { newestFirst, type Page } from './newest-first.js';


export class TrackStore {
  constructor(private readonly tracks: Collection<TrackDocument>) {}

  async insert(track: TrackDocument): Promise<void> {
    await this.tracks.insertOne(TrackDocumentSchema.parse(track));
  }

  get(id: string): Promise<TrackDocument | null> {
    return this.tracks.findOne({ _id: id });
  }

  /** The complete renditions of those of these tracks that are ready, in no particular order: all a playlist plays. */
  async readyRenditions(ids: string[]): Promise<Array<{ id: string; renditions: StoredRendition[] }>> {
    const found = await this.tracks.find({ _id: { $in: ids }, status: 'ready' }, { projection: { renditions: 1 } }).toArray();
    return found.map((track) => ({ id: track._id, renditions: track.renditions }));
  }

  /** Newest first; `q` matches title, artist or album, ignoring case. */
  list({ q, ...page }: TrackListQuery): Promise<Page<TrackDocument>> {
    const conditions: Filter<TrackDocument>[] = [];
    if (q) {
      const pattern = { $regex: escapeRegExp(q), $options: 'i' };
      conditions.push({ $or: [{ title: pattern }, { artist: pattern }, { album: pattern }] });
    }
    return newestFirst(this.tracks, conditions, page);
  }

  /** Those of `ids` that are tracks, in any order. */
  find(ids: string[]): Promise<TrackDocument[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.tracks.find({ _id: { $in: ids } }).toArray();
  }

  /** Those of `ids` that are not tracks, in the order given. */
  async missing(ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const found = await this.tracks.find({ _id: { $in: ids } }, { projection: { _id: 1 } }).toArray();
    const known = new Set(found.map((track) => track._id));
    return ids.filter((id) => !known.has(id));
  }

  updateTags(id: string, patch: TrackUpdate): Promise<TrackDocument | null> {
    return this.tracks.findOneAndUpdate(
      { _id: id },
      { $set: { ...patch, updatedAt: new Date() } },
      { returnDocument: 'after' },
    );
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.tracks.updateOne({ _id: id }, { $set: { lastAccessedAt: at } });
  }

  async delete(id: string): Promise<boolean> {
    const { deletedCount } = await this.tracks.deleteOne({ _id: id });
    return deletedCount === 1;
  }

  /** Records progress and extends the lease; false when this owner no longer holds it. */
  async renewLease(id: string, owner: string, until: Date, progress?: number): Promise<boolean> {
    const { matchedCount } = await this.tracks.updateOne(
      { _id: id, status: 'processing', 'lease.owner': owner },
      { $set: { 'lease.until': until, updatedAt: new Date(), ...(progress === undefined ? {} : { progress }) } },
    );
    return matchedCount === 1;
  }

  /**
   * Lists segments of a rung that are stored (never before: a listed segment
   * can be fetched at once) after those listed before them; false when this
   * owner no longer holds the lease.
   */
  async appendSegments(
    id: string,
    owner: string,
    rung: RenditionId,
    facts: Omit<GrowingRendition, 'segmentDurations'>,
    durations: number[],
  ): Promise<boolean> {
    const path = `growing.${rung}`;
    const { matchedCount } = await this.tracks.updateOne(
      { _id: id, status: 'processing', 'lease.owner': owner },
      {
        $set: {
          [`${path}.bitrate`]: facts.bitrate,
          [`${path}.channels`]: facts.channels,
          [`${path}.sampleRate`]: facts.sampleRate,
          [`${path}.peakBandwidth`]: facts.peakBandwidth,
        },
        $push: { [`${path}.segmentDurations`]: { $each: durations } },
      } as UpdateFilter<TrackDocument>,
    );
    return matchedCount === 1;
  }

  /** The length and waveform the whole file decoded to, known while the ladder is still being encoded. */
  async recordMeasurement(id: string, owner: string, measured: { durationSec: number; peaks: number[] }): Promise<boolean> {
    const { matchedCount } = await this.tracks.updateOne(
      { _id: id, status: 'processing', 'lease.owner': owner },
      { $set: { ...measured, updatedAt: new Date() } },
    );
    return matchedCount === 1;
  }

  async markReady(
    id: string,
    owner: string,
    outcome: { renditions: StoredRendition[]; loudness: Loudness },
  ): Promise<TrackDocument | null> {
    return this.tracks.findOneAndUpdate(
      { _id: id, status: 'processing', 'lease.owner': owner },
      { $set: { status: 'ready', progress: 1, ...outcome, error: null, updatedAt: new Date() }, $unset: { lease: '', growing: '' } },
      { returnDocument: 'after' },
    );
  }

  /** `owner` null fails the track whoever holds it (the sweeper giving up on it). */
  async markFailed(id: string, owner: string | null, error: TrackError): Promise<TrackDocument | null> {
    return this.tracks.findOneAndUpdate(
      { _id: id, status: 'processing', ...(owner ? { 'lease.owner': owner } : {}) },
      { $set: { status: 'failed', error, renditions: [], updatedAt: new Date() }, $unset: { lease: '', growing: '' } },
      { returnDocument: 'after' },
    );
  }

  /**
   * Lets another replica take the track over at once, as on a graceful
   * shutdown. The attempt is given back (unless `countAttempt`): taking the
   * lease over counts one, and a track handed back in good order (a rolling
   * update) was not interrupted.
   */
  async releaseLease(id: string, owner: string, { countAttempt = false } = {}): Promise<void> {
    await this.tracks.updateOne(
      { _id: id, 'lease.owner': owner },
      { $set: { 'lease.until': new Date(0) }, ...(countAttempt ? {} : { $inc: { 'lease.attempts': -1 } }) },
    );
  }

  /** A failed track, back to processing under this lease; null when the track is not failed (or not there). */
  restartFailed(id: string, lease: Omit<Lease, 'attempts'>): Promise<TrackDocument | null> {
    return this.tracks.findOneAndUpdate(
      { _id: id, status: 'failed' },
      {
        $set: { status: 'processing', progress: 0, error: null, renditions: [], loudness: null, lease: { ...lease, attempts: 1 }, updatedAt: new Date() },
      },
      { returnDocument: 'after' },
    );
  }

  /** Processing tracks whose lease ran out: their replica died or let go. */
  expiredLeases(now: Date): Promise<TrackDocument[]> {
    return this.tracks.find({ status: 'processing', 'lease.until': { $lt: now } }).toArray();
  }

  /** Finished tracks nobody has played (or, never played, that were made) before `cutoff`. */
  unplayedSince(cutoff: Date): Promise<TrackDocument[]> {
    return this.tracks
      .find({
        status: { $ne: 'processing' },
        $or: [{ lastAccessedAt: { $lt: cutoff } }, { lastAccessedAt: null, createdAt: { $lt: cutoff } }],
      })
      .toArray();
  }

  /** Takes over an expired lease, counting the attempt; null when another replica was first. */
  claimExpiredLease(expired: TrackDocument, lease: Omit<Lease, 'attempts'>): Promise<TrackDocument | null> {
    return this.tracks.findOneAndUpdate(
      { _id: expired._id, status: 'processing', 'lease.owner': expired.lease?.owner, 'lease.until': expired.lease?.until },
      {
        $set: { 'lease.owner': lease.owner, 'lease.until': lease.until, updatedAt: new Date() },
        $inc: { 'lease.attempts': 1 },
      },
      { returnDocument: 'after' },
    );
  }
}
