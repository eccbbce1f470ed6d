import {
  type Playlist,
  type PlaylistAddTracks,
  type PlaylistCreate,
  type PlaylistList,
  PlaylistListSchema,
  PlaylistSchema,
  type PlaylistSummary,
  type PlaylistUpdate,
} from '../../functions/core/schemas/playlist.js';
import { PageIterator } from './pages.js';
import type { RequestOptions, Transport } from './transport.js';

/** What `playlists.create` takes: a name, and optionally a description and tracks in playing order. */
export type PlaylistCreateParams = PlaylistCreate;
/** What `playlists.update` takes: any of name, description, and the whole list of track ids (to reorder). */
export type PlaylistUpdateParams = PlaylistUpdate;
/** What `playlists.addTracks` takes: track ids, and where the first goes (counted from 0; the end if left out). */
export type PlaylistAddTracksParams = PlaylistAddTracks;

/** What `playlists.list` takes. */
export interface PlaylistListParams extends RequestOptions {
  /** playlists per page, 1–100 */
  limit?: number;
}

/** What `playlists.page` takes: a listing's parameters and where to go on from. */
export interface PlaylistPageParams extends PlaylistListParams {
  /** the `nextCursor` of the page before; none (or null) for the first page */
  cursor?: string | null;
}

/** Playlists: ordered lists of tracks, each track once, at most 1,000. Reads are open; writes need the API key. */
export class Playlists {
  constructor(private readonly transport: Transport) {}

  /**
   * Makes a playlist. Throws UnknownTracksError if an id is not a track, TooManyTracksError past 1,000.
   * Not retried: an attempt that seemed lost may have made one.
   *
   * @example
   * const playlist = await segue.playlists.create({ name: 'Road trip', trackIds: [first.id, second.id] });
   * console.log(`share it: /p/${playlist.id}`);
   */
  create(params: PlaylistCreateParams, options: RequestOptions = {}): Promise<Playlist> {
    return this.transport.json({ endpoint: 'createPlaylist', json: params, signal: options.signal, once: true }, PlaylistSchema);
  }

  /**
   * One playlist with its tracks in playing order, each the whole Track.
   *
   * @example
   * const { name, tracks } = await segue.playlists.retrieve(id);
   */
  retrieve(id: string, options: RequestOptions = {}): Promise<Playlist> {
    return this.transport.json({ endpoint: 'retrievePlaylist', params: { id }, signal: options.signal }, PlaylistSchema);
  }

  /**
   * One page of playlists, newest first; pass `nextCursor` back for the next (`null` on the last).
   *
   * @example
   * const { data, nextCursor } = await segue.playlists.page({ limit: 20 });
   * const more = nextCursor ? await segue.playlists.page({ limit: 20, cursor: nextCursor }) : null;
   */
  page(params: PlaylistPageParams = {}): Promise<PlaylistList> {
    const { limit, cursor, signal } = params;
    return this.transport.json({ endpoint: 'listPlaylists', query: { limit, cursor: cursor ?? undefined }, signal }, PlaylistListSchema);
  }

  /**
   * Every playlist, newest first, fetched a page at a time as you iterate; each carries `trackCount` rather than its tracks.
   *
   * @example
   * for await (const playlist of segue.playlists.list()) console.log(playlist.name, playlist.trackCount);
   */
  list(params: PlaylistListParams = {}): PlaylistIterator {
    return new PlaylistIterator((cursor) => this.page({ ...params, cursor }));
  }

  /**
   * Renames, describes, or replaces the whole list of tracks, which is how they are reordered.
   *
   * @example
   * await segue.playlists.update(id, { trackIds: [...playlist.trackIds].reverse() });
   */
  update(id: string, params: PlaylistUpdateParams, options: RequestOptions = {}): Promise<Playlist> {
    return this.transport.json({ endpoint: 'updatePlaylist', params: { id }, json: params, signal: options.signal }, PlaylistSchema);
  }

  /**
   * Inserts tracks at `position` (counted from 0), or at the end. Throws AlreadyInPlaylistError for a
   * track the playlist holds already (none of the batch is added), TooManyTracksError past 1,000.
   * Not retried: an attempt that seemed lost may have added them.
   *
   * @example
   * await segue.playlists.addTracks(id, { trackIds: [track.id], position: 0 });
   */
  addTracks(id: string, params: PlaylistAddTracksParams, options: RequestOptions = {}): Promise<Playlist> {
    return this.transport.json({ endpoint: 'addPlaylistTracks', params: { id }, json: params, signal: options.signal, once: true }, PlaylistSchema);
  }

  /**
   * Takes one track out of the playlist; the track stays in the library. NotFoundError if the playlist does not hold it.
   *
   * @example
   * await segue.playlists.removeTrack(id, track.id);
   */
  removeTrack(id: string, trackId: string, options: RequestOptions = {}): Promise<void> {
    return this.transport.json({ endpoint: 'removePlaylistTrack', params: { id, trackId }, signal: options.signal }, null);
  }

  /**
   * The playlist's ready tracks as one HLS presentation, for a player: they play one after another without a gap.
   *
   * @example
   * attachTrack(audio, segue.playlists.masterPlaylistUrl(playlist.id));
   */
  masterPlaylistUrl(id: string): string {
    return this.transport.url('playlistMasterPlaylist', { id });
  }

  /**
   * Removes the playlist; its tracks stay in the library.
   *
   * @example
   * await segue.playlists.delete(id);
   */
  delete(id: string, options: RequestOptions = {}): Promise<void> {
    return this.transport.json({ endpoint: 'deletePlaylist', params: { id }, signal: options.signal }, null);
  }
}

/**
 * Every playlist, fetched a page at a time; `pages()` gives them a page at a time.
 *
 * @example
 * const all = await segue.playlists.list().toArray();
 */
export class PlaylistIterator extends PageIterator<PlaylistSummary> {}
