import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Collection } from 'mongodb';
import type { PlaylistDocument } from '../../core/schemas/playlist.js';
import type { RenditionId } from '../../core/schemas/track.js';
import { HttpError, notFound } from '../../shared/http/http-error.js';
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
 * Names what a presentation plays: its ready tracks, in order. A ready track's renditions never change, so
 * the same version is the same media playlists, segment for segment.
 */
const versionOf = (tracks: PresentedTrack[]) =>
  createHash('sha256')
    .update(tracks.map((track) => track.id).join(','))
    .digest('base64url')
    .slice(0, 16);

/**
 * A playlist's HLS presentation (see playlist-presentation.ts), written from
 * the playlist and its tracks as they are now: its ready tracks in order, the
 * others left out until they are ready. A playlist is edited at any time, so
 * every request reads it again (two queries), and the ETag answers 304 when
 * nothing changed.
 *
 * A VOD media playlist must never change, yet a player reads another
 * variant's only when it switches to it, maybe after an edit: the master
 * names the version its variants are (`?v=`), and a media playlist asked for
 * as a version the playlist no longer is answers 409 `playlist_changed`
 * rather than other tracks at the same times. The player loads the master again.
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

  // written on every request, so compressed only for a client that takes gzip and is not answered 304
  const send = (req: IncomingMessage, res: ServerResponse, text: string) => {
    const body = Buffer.from(text);
    sendPlaylist(req, res, { body, etag: textEtag(body), get gzip() { return gzipSync(body); } }, GROWING_PLAYLIST_CACHE);
  };

  return {
    async master(req: IncomingMessage, res: ServerResponse, id: string) {
      const tracks = await readyTracks(id);
      send(req, res, writeMasterPlaylist(playlistVariants(tracks), `?v=${versionOf(tracks)}`));
    },

    async mediaPlaylist(req: IncomingMessage, res: ServerResponse, id: string, rendition: string) {
      const tracks = await readyTracks(id);
      const asked = new URL(req.url ?? '/', 'http://stream').searchParams.get('v');
      if (asked !== null && asked !== versionOf(tracks)) {
        throw new HttpError('playlist_changed', 'This playlist has changed since its multivariant playlist was read: read it again', { id });
      }
      const parts = playlistParts(tracks, rendition as RenditionId);
      if (!parts) throw notFound('This rendition', { id, rendition });
      send(req, res, writeMediaPlaylist(parts, true));
    },
  };
}
