import type { IncomingMessage, ServerResponse } from 'node:http';
import Negotiator from 'negotiator';
import vary from 'vary';
import { HttpError, notFound } from '../../shared/http/http-error.js';
import { AAC_LC, INIT_SEGMENT_FILE } from '../../core/hls.js';
import { isPlayable, type RenditionId, startedRungs, type TrackDocument } from '../../core/schemas/track.js';
import { type SegmentStore, segmentId } from '../../shared/storage/segment-store.js';
import type { AccessRecorder } from '../access-recorder.js';
import type { ByteCache, CachedBytes } from '../cache/byte-cache.js';
import type { CachedText, TrackCache } from '../cache/track-cache.js';
import { describeAndCheckFresh, sendBytes } from '../http/respond.js';
import { type Variant, writeMasterPlaylist } from '../playlists/master-playlist.js';
import { writeMediaPlaylist } from '../playlists/media-playlist.js';
import { IMMUTABLE } from '../../shared/http/cache-control.js';

export interface PlaybackDeps {
  trackCache: TrackCache;
  byteCache: ByteCache;
  segments: SegmentStore;
  access: AccessRecorder;
}

export const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';
/** VOD playlists never change while their track exists; a short life bounds how long a deleted one lingers in caches. */
const PLAYLIST_CACHE = 'public, max-age=300';
/** A growing playlist is asked again every few seconds, and each time must say what is stored now (its ETag answers 304 when nothing is new). */
export const GROWING_PLAYLIST_CACHE = 'no-cache';

const MEDIA_SEGMENT = /^(\d{6})\.m4s$/;

/** Goes on at once when the value is at hand, and only waits for it when it is not. */
const whenReady = <T, R>(value: T | Promise<T>, next: (value: T) => R): R | Promise<Awaited<R>> =>
  value instanceof Promise ? (value.then(next) as Promise<Awaited<R>>) : next(value);

/**
 * The track if it can be played: ready, or processing with a rung started
 * (its playlists then grow); else the error that says why not.
 */
function playable(track: TrackDocument | null, id: string): TrackDocument {
  if (!track) throw notFound('This track', { id });
  if (track.status === 'failed') {
    throw new HttpError('track_failed', 'This track could not be processed', { status: track.status, error: track.error });
  }
  if (!isPlayable(track)) {
    throw new HttpError('track_not_ready', 'This track is still being processed', { status: track.status, progress: track.progress });
  }
  return track;
}

/** The variants the multivariant playlist lists: the complete renditions, or the rungs that have started. */
function variantsOf(track: TrackDocument): Variant[] {
  if (track.status === 'ready') return track.renditions;
  return startedRungs(track).map(([rung, { segmentDurations: _, ...facts }]) => ({ id: rung, codecs: AAC_LC, ...facts }));
}

/** A rendition's segment durations, as stored (complete) or listed so far (growing): no copy, on the segment path too. */
function segmentDurationsOf(track: TrackDocument, rendition: string): number[] {
  const durations =
    track.status === 'ready'
      ? track.renditions.find((candidate) => candidate.id === rendition)?.segmentDurations
      : startedRungs(track).find(([rung]) => rung === rendition)?.[1].segmentDurations;
  if (!durations) throw notFound('This rendition', { id: track._id, rendition });
  return durations;
}

/**
 * A file name this rendition has (an unknown rendition is a 404 too), checked
 * against its stored facts before any segment is read. A growing one may have more than this replica read a
 * moment ago (another may have listed them already): those are looked for.
 */
function checkSegmentFile(track: TrackDocument, rendition: string, file: string): void {
  const listed = segmentDurationsOf(track, rendition).length;
  const index = MEDIA_SEGMENT.exec(file)?.[1];
  const known = file === INIT_SEGMENT_FILE || (index !== undefined && (track.status !== 'ready' || Number(index) < listed));
  if (!known) throw notFound('This segment', { id: track._id, rendition, file });
}

export function sendPlaylist(req: IncomingMessage, res: ServerResponse, playlist: CachedText, cacheControl: string): void {
  vary(res, 'Accept-Encoding');
  if (describeAndCheckFresh(req, res, { contentType: PLAYLIST_TYPE, etag: playlist.etag, cacheControl })) return;
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
      sendPlaylist(req, res, text, track.status === 'ready' ? PLAYLIST_CACHE : GROWING_PLAYLIST_CACHE);
    });

  return {
    master(req: IncomingMessage, res: ServerResponse, id: string) {
      return playlist(req, res, id, 'master', (track) => writeMasterPlaylist(variantsOf(track)));
    },

    mediaPlaylist(req: IncomingMessage, res: ServerResponse, id: string, rendition: string) {
      return playlist(req, res, id, rendition, (track) => writeMediaPlaylist([{ base: '', segmentDurations: segmentDurationsOf(track, rendition) }], track.status === 'ready'));
    },

    /** The hot path: with the track and the segment in memory it answers without waiting on anything. */
    segment(req: IncomingMessage, res: ServerResponse, id: string, renditionId: string, file: string) {
      return whenReady(trackCache.get(id), (found) => {
        const track = playable(found, id);
        checkSegmentFile(track, renditionId, file);
        const rendition = renditionId as RenditionId;
        const key = segmentId(id, rendition, file);
        // a stored segment never changes: growing or complete, it is the same bytes under the same name
        const send = (cached: CachedBytes) => {
          access.record(id);
          sendBytes(req, res, cached.data, { ...cached, cacheControl: IMMUTABLE });
        };
        const cached = byteCache.get(key);
        if (cached) return send(cached);
        return segments.get(key).then((stored) => {
          if (!stored) throw notFound('This segment', { id, rendition, file });
          const loaded = { data: Buffer.from(stored.data.buffer), etag: stored.etag, contentType: 'audio/mp4' };
          byteCache.set(key, loaded);
          send(loaded);
        });
      });
    },
  };
}
