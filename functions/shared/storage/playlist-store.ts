import type { Collection, Filter } from 'mongodb';
import {
  MAX_PLAYLIST_TRACKS,
  type PlaylistDocument,
  PlaylistDocumentSchema,
  type PlaylistListQuery,
  type PlaylistUpdate,
} from '../../core/schemas/playlist.js';
import { newestFirst, type Page } from './newest-first.js';

/** Why tracks could not be added: the playlist is not there, holds some of them already, or would grow too long. */
export type AddRefusal =
  | { refused: 'not_found' }
  | { refused: 'already_in_playlist'; trackIds: string[] }
  | { refused: 'too_many_tracks'; count: number };

/**
 * Playlists. Every change is one atomic update of one document, so two
 * clients changing a playlist at once never lose each other's change.
 */
export class PlaylistStore {
  constructor(private readonly playlists: Collection<PlaylistDocument>) {}

  async insert(playlist: PlaylistDocument): Promise<void> {
    await this.playlists.insertOne(PlaylistDocumentSchema.parse(playlist));
  }

  get(id: string): Promise<PlaylistDocument | null> {
    return this.playlists.findOne({ _id: id });
  }

  /** Newest first. */
  list(query: PlaylistListQuery): Promise<Page<PlaylistDocument>> {
    return newestFirst(this.playlists, [], query);
  }

  /** Renames, describes, or replaces the whole list of tracks (which is how they are reordered). */
  update(id: string, patch: PlaylistUpdate): Promise<PlaylistDocument | null> {
    return this.playlists.findOneAndUpdate({ _id: id }, { $set: { ...patch, updatedAt: new Date() } }, { returnDocument: 'after' });
  }

  /**
   * Inserts tracks at `position` (the end when undefined or past it). The
   * update only matches while none of them is in the playlist and it has
   * room for all of them, so the checks and the change are one step.
   */
  async addTracks(id: string, trackIds: string[], position: number | undefined): Promise<{ added: PlaylistDocument } | AddRefusal> {
    if (trackIds.length > MAX_PLAYLIST_TRACKS) return { refused: 'too_many_tracks', count: trackIds.length };
    const filter: Filter<PlaylistDocument> = {
      _id: id,
      trackIds: { $nin: trackIds },
      // no element at this index: the playlist holds at most MAX - n tracks
      [`trackIds.${MAX_PLAYLIST_TRACKS - trackIds.length}`]: { $exists: false },
    };
    const added = await this.playlists.findOneAndUpdate(
      filter,
      {
        $push: { trackIds: { $each: trackIds, ...(position === undefined ? {} : { $position: position }) } },
        $set: { updatedAt: new Date() },
      },
      { returnDocument: 'after' },
    );
    if (added) return { added };
    const playlist = await this.get(id);
    if (!playlist) return { refused: 'not_found' };
    const held = trackIds.filter((trackId) => playlist.trackIds.includes(trackId));
    if (held.length > 0) return { refused: 'already_in_playlist', trackIds: held };
    const count = playlist.trackIds.length + trackIds.length;
    if (count > MAX_PLAYLIST_TRACKS) return { refused: 'too_many_tracks', count };
    // it changed between the two reads (a track was removed meanwhile): the update may match now
    return this.addTracks(id, trackIds, position);
  }

  /** Takes one track out; null when the playlist is not there or does not hold it. */
  removeTrack(id: string, trackId: string): Promise<PlaylistDocument | null> {
    return this.playlists.findOneAndUpdate(
      { _id: id, trackIds: trackId },
      { $pull: { trackIds: trackId }, $set: { updatedAt: new Date() } },
      { returnDocument: 'after' },
    );
  }

  /** Takes a track out of every playlist that holds it: part of removing the track. */
  async removeTrackEverywhere(trackId: string): Promise<void> {
    await this.playlists.updateMany({ trackIds: trackId }, { $pull: { trackIds: trackId }, $set: { updatedAt: new Date() } });
  }

  async delete(id: string): Promise<boolean> {
    const { deletedCount } = await this.playlists.deleteOne({ _id: id });
    return deletedCount === 1;
  }
}
