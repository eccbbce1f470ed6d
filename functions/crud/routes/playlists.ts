import { Router } from 'express';
import { endpoints } from '../../core/endpoints.js';
import { HttpError, notFound } from '../../shared/http/http-error.js';
import { mount } from '../../shared/http/endpoint.js';
import { newPlaylistId } from '../../shared/ids.js';
import { MAX_PLAYLIST_TRACKS, type PlaylistDocument, toPlaylist, toPlaylistSummary } from '../../core/schemas/playlist.js';
import type { AddRefusal } from '../../shared/storage/playlist-store.js';
import type { CrudServices } from '../services.js';

type PlaylistServices = Pick<CrudServices, 'playlists' | 'tracks' | 'writeGuards'>;

const tooManyTracks = (count: number) =>
  new HttpError('too_many_tracks', `A playlist holds at most ${MAX_PLAYLIST_TRACKS} tracks; this one would hold ${count}`, {
    max: MAX_PLAYLIST_TRACKS,
    count,
  });

function refusal(id: string, refused: AddRefusal): HttpError {
  switch (refused.refused) {
    case 'not_found':
      return notFound('This playlist', { id });
    case 'already_in_playlist':
      return new HttpError('already_in_playlist', 'The playlist holds some of these tracks already; a track is in a playlist once', {
        trackIds: refused.trackIds,
      });
    case 'too_many_tracks':
      return tooManyTracks(refused.count);
  }
}

export function playlistRoutes(deps: PlaylistServices): Router {
  const { playlists, tracks, writeGuards } = deps;
  const router = Router();

  const findPlaylist = async (id: string) => {
    const playlist = await playlists.get(id);
    if (!playlist) throw notFound('This playlist', { id });
    return playlist;
  };

  /** A playlist names only tracks in the library, and no more than it may hold. */
  const checkTracks = async (trackIds: string[]) => {
    if (trackIds.length > MAX_PLAYLIST_TRACKS) throw tooManyTracks(trackIds.length);
    const unknown = await tracks.missing(trackIds);
    if (unknown.length > 0) throw new HttpError('unknown_tracks', 'Some of these ids are not tracks in the library', { trackIds: unknown });
  };

  /**
   * The playlist with its tracks. After a write, a track just written that is
   * gone now was deleted between the check and the write, and its removal may
   * have passed this playlist by: it is taken out here.
   */
  const answer = async (playlist: PlaylistDocument, written: string[] = []) => {
    const found = await tracks.find(playlist.trackIds);
    const present = new Set(found.map((track) => track._id));
    for (const gone of written.filter((id) => !present.has(id))) await playlists.removeTrackEverywhere(gone);
    return toPlaylist(playlist, found);
  };

  mount(router, endpoints.createPlaylist, writeGuards, async ({ body }, _req, res) => {
    await checkTracks(body.trackIds);
    const now = new Date();
    const playlist: PlaylistDocument = { _id: newPlaylistId(), ...body, createdAt: now, updatedAt: now };
    await playlists.insert(playlist);
    res.location(`playlists/${playlist._id}`);
    res.status(201).json(await answer(playlist, body.trackIds));
  });

  mount(router, endpoints.listPlaylists, writeGuards, async ({ query }, _req, res) => {
    const page = await playlists.list(query);
    res.json({ data: page.items.map(toPlaylistSummary), nextCursor: page.nextCursor });
  });

  mount(router, endpoints.retrievePlaylist, writeGuards, async ({ params }, _req, res) => {
    res.json(await answer(await findPlaylist(params.id)));
  });

  mount(router, endpoints.updatePlaylist, writeGuards, async ({ params, body }, _req, res) => {
    // a missing playlist is told before tracks it would not hold; a rename alone learns that from the update itself
    if (body.trackIds) {
      await findPlaylist(params.id);
      await checkTracks(body.trackIds);
    }
    const updated = await playlists.update(params.id, body);
    if (!updated) throw notFound('This playlist', { id: params.id });
    res.json(await answer(updated, body.trackIds));
  });

  mount(router, endpoints.addPlaylistTracks, writeGuards, async ({ params, body }, _req, res) => {
    await findPlaylist(params.id);
    await checkTracks(body.trackIds);
    const outcome = await playlists.addTracks(params.id, body.trackIds, body.position);
    if (!('added' in outcome)) throw refusal(params.id, outcome);
    res.json(await answer(outcome.added, body.trackIds));
  });

  mount(router, endpoints.removePlaylistTrack, writeGuards, async ({ params }, _req, res) => {
    const removed = await playlists.removeTrack(params.id, params.trackId);
    if (!removed) {
      await findPlaylist(params.id);
      throw new HttpError('not_found', 'This playlist does not hold this track', { id: params.id, trackId: params.trackId });
    }
    res.status(204).end();
  });

  mount(router, endpoints.deletePlaylist, writeGuards, async ({ params }, _req, res) => {
    if (!(await playlists.delete(params.id))) throw notFound('This playlist', { id: params.id });
    res.status(204).end();
  });

  return router;
}
