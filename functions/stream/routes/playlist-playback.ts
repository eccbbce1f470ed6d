import { gzipSync } from 'node:zlib';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Collection } from 'mongodb';
import type { PlaylistDocument } from '../../shared/schemas/playlist.js';
import { HttpError, notFound } from '../../shared/errors.js';
import type { TrackStore } from '../../shared/storage/track-store.js';
import { textEtag } from '../cache/track-cache.js';
import { writeMasterPlaylist } from '../playlists/master-playlist.js';
import { writeMediaPlaylist } from '../playlists/media-playlist.js';
import { type PresentedTrack, playlistParts, playlistVariants } from '../playlists/playlist-presentation.js';
import { GROWING_PLAYLIST_CACHE, sendPlaylist } from './playback.js';

export interface PlaylistPlaybackDeps {
  playlists: Collection<PlaylistDocument>;
  tracks: TrackStore;
}

/**
 * A playlist's HLS presentation (see playlist-presentation.ts), written from
 * the playlist and its tracks as they are now: its ready tracks in order, the
 * others left out until they are ready. A playlist is edited at any time, so
 * every request reads it again (two queries), and the ETag answers 304 when
 * nothing changed.
 */
export function playlistPlaybackHandlers({ playlists, tracks }: PlaylistPlaybackDeps) {
  async function readyTracks(id: string): Promise<PresentedTrack[]> {
    const playlist = await playlists.findOne({ _id: id }, { projection: { trackIds: 1 } });
    if (!playlist) throw notFound('This playlist', { id });
    const ready = new Map((await tracks.readyRenditions(playlist.trackIds)).map((track) => [track.id, track]));
    const inOrder = playlist.trackIds.flatMap((trackId) => ready.get(trackId) ?? []);
    if (inOrder.length === 0) throw new HttpError('track_not_ready', 'No track of this playlist is ready to play yet', { id });
    return inOrder;
  }

  const send = (req: IncomingMessage, res: ServerResponse, text: string) => {
    const body = Buffer.from(text);
    sendPlaylist(req, res, { body, gzip: gzipSync(body), etag: textEtag(body) }, GROWING_PLAYLIST_CACHE);
  };

  return {
    async master(req: IncomingMessage, res: ServerResponse, id: string) {
      send(req, res, writeMasterPlaylist(playlistVariants(await readyTracks(id))));
    },

    async mediaPlaylist(req: IncomingMessage, res: ServerResponse, id: string, rendition: string) {
      const parts = playlistParts(await readyTracks(id), rendition as PresentedTrack['renditions'][number]['id']);
      if (!parts) throw notFound('This rendition', { id, rendition });
      send(req, res, writeMediaPlaylist(parts, true));
    },
  };
}
