import type { IncomingMessage, ServerResponse } from 'node:http';
import Negotiator from 'negotiator';
import vary from 'vary';
import { HttpError, notFound } from '../../shared/errors.js';
import { INIT_SEGMENT_FILE } from '../../shared/hls.js';
import type { StoredRendition, TrackDocument } from '../../shared/schemas/track.js';
import { type SegmentStore, segmentId } from '../../shared/storage/segment-store.js';
import type { AccessRecorder } from '../access-recorder.js';
import type { ByteCache, CachedBytes } from '../cache/byte-cache.js';
import type { CachedText, TrackCache } from '../cache/track-cache.js';
import { describeAndCheckFresh, sendBytes } from '../http/respond.js';
import { writeMasterPlaylist } from '../playlists/master-playlist.js';
import { writeMediaPlaylist } from '../playlists/media-playlist.js';

export interface PlaybackDeps {
  trackCache: TrackCache;
  byteCache: ByteCache;
  segments: SegmentStore;
  access: AccessRecorder;
}

export const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** VOD playlists never change while their track exists; a short life bounds how long a deleted one lingers in caches. */
const PLAYLIST_CACHE = 'public, max-age=300';

const MEDIA_SEGMENT = /^(\d{6})\.m4s$/;

/** Goes on at once when the value is at hand, and only waits for it when it is not. */
const whenReady = <T, R>(value: T | Promise<T>, next: (value: T) => R): R | Promise<Awaited<R>> =>
  value instanceof Promise ? (value.then(next) as Promise<Awaited<R>>) : next(value);

/** A track that can be played, or the error that says why not: never half a playlist. */
function playable(track: TrackDocument | null, id: string): TrackDocument {
  if (!track) throw notFound('This track', { id });
  if (track.status === 'processing') {
    throw new HttpError('track_not_ready', 'This track is still being processed', { status: track.status, progress: track.progress });
  }
  if (track.status === 'failed') {
    throw new HttpError('track_failed', 'This track could not be processed', { status: track.status, error: track.error });
  }
  return track;
}

function renditionOf(track: TrackDocument, id: string): StoredRendition {
  const rendition = track.renditions.find((candidate) => candidate.id === id);
  if (!rendition) throw notFound('This rendition', { id: track._id, rendition: id });
  return rendition;
}

/** A file name this rendition has, checked against its stored facts before any segment is read. */
function checkSegmentFile(rendition: StoredRendition, trackId: string, file: string): void {
  const index = MEDIA_SEGMENT.exec(file)?.[1];
  const known = file === INIT_SEGMENT_FILE || (index !== undefined && Number(index) < rendition.segmentCount);
  if (!known) throw notFound('This segment', { id: trackId, rendition: rendition.id, file });
}

function sendPlaylist(req: IncomingMessage, res: ServerResponse, playlist: CachedText): void {
  vary(res, 'Accept-Encoding');
  if (describeAndCheckFresh(req, res, { contentType: PLAYLIST_TYPE, etag: playlist.etag, cacheControl: PLAYLIST_CACHE })) return;
  const gzip = req.headers['accept-encoding'] !== undefined && new Negotiator(req).encoding(['gzip', 'identity']) === 'gzip';
  if (gzip) res.setHeader('Content-Encoding', 'gzip');
  const body = gzip ? playlist.gzip : playlist.body;
  res.setHeader('Content-Length', body.length);
  res.end(body);
}

export function playbackHandlers({ trackCache, byteCache, segments, access }: PlaybackDeps) {
  /** Like segments, a playlist is answered without waiting when the track was read recently. */
  const playlist = (req: IncomingMessage, res: ServerResponse, id: string, key: string, make: (track: TrackDocument) => string) =>
    whenReady(trackCache.lookup(id), (entry) => {
      const track = playable(entry.track, id);
      const text = trackCache.text(entry, key, () => make(track));
      access.record(id);
      sendPlaylist(req, res, text);
    });

  return {
    master(req: IncomingMessage, res: ServerResponse, id: string) {
      return playlist(req, res, id, 'master', (track) => writeMasterPlaylist(track.renditions));
    },

    mediaPlaylist(req: IncomingMessage, res: ServerResponse, id: string, rendition: string) {
      return playlist(req, res, id, rendition, (track) => writeMediaPlaylist(renditionOf(track, rendition)));
    },

    /** The hot path: with the track and the segment in memory it answers without waiting on anything. */
    segment(req: IncomingMessage, res: ServerResponse, id: string, renditionId: string, file: string) {
      return whenReady(trackCache.get(id), (found) => {
        const track = playable(found, id);
        const rendition = renditionOf(track, renditionId);
        checkSegmentFile(rendition, track._id, file);
        const key = segmentId(track._id, rendition.id, file);
        const send = (cached: CachedBytes) => {
          access.record(track._id);
          sendBytes(req, res, cached.data, { ...cached, cacheControl: IMMUTABLE });
        };
        const cached = byteCache.get(key);
        if (cached) return send(cached);
        return segments.get(key).then((stored) => {
          if (!stored) throw notFound('This segment', { id: track._id, rendition: rendition.id, file });
          const loaded = { data: Buffer.from(stored.data.buffer), etag: stored.etag, contentType: 'audio/mp4' };
          byteCache.set(key, loaded);
          send(loaded);
        });
      });
    },
  };
}
