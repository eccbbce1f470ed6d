import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import * as z from 'zod';
import { expressPath, endpoints } from '../core/endpoints.js';
import type { StreamConfig } from './config.js';
import { HttpError, shuttingDown } from '../shared/http/http-error.js';
import { corsPolicy } from '../shared/http/cors.js';
import { withRequestId } from '../shared/http/request-id.js';
import { fieldErrors } from '../shared/field-errors.js';
import { sendError, sendJson } from '../shared/http/json-answer.js';
import type { Logger } from '../shared/logger.js';
import { watchSegmentCache } from '../shared/metrics/cache-metrics.js';
import { createRegistry, type Registry } from '../shared/metrics/registry.js';
import { listenerRequestTimer } from '../shared/metrics/request-metrics.js';
import { TrackIdSchema } from '../core/schemas/track.js';
import { isShareId } from '../core/share-id.js';
import { CoverStore } from '../shared/storage/cover-store.js';
import type { Database } from '../shared/storage/database.js';
import { OriginalStore } from '../shared/storage/original-store.js';
import { SegmentStore } from '../shared/storage/segment-store.js';
import { TrackStore } from '../shared/storage/track-store.js';
import type { TrackEvents } from '../shared/track-events.js';
import { AccessRecorder } from './access-recorder.js';
import { ByteCache } from './cache/byte-cache.js';
import { TrackCache } from './cache/track-cache.js';
import { fileHandlers } from './routes/files.js';
import { playbackHandlers } from './routes/playback.js';
import { playlistPlaybackHandlers } from './routes/playlist-playback.js';
import { type Handler, type MatchedRoute, type Route, type StreamEndpoint, matchRoute, streamRoutes } from './routes/route-table.js';

export interface StreamAppOptions {
  config: StreamConfig;
  database: Database;
  logger: Logger;
  /** deletions made in this process, to forget at once */
  events?: TrackEvents;
  /** where its metrics go (the process's, served on METRICS_PORT); one of its own when not given */
  registry?: Registry;
  /** aborted when the replica starts draining: its health check says so, while playback goes on */
  stopping?: AbortSignal;
}

export interface StreamApp {
  /** a plain Node request listener: `http.createServer(app)`, or mounted by Express */
  app: RequestListener;
  byteCache: ByteCache;
  trackCache: TrackCache;
  /** what it answers, most specific first */
  routes: Route[];
}

const TrackParams = z.object({ id: TrackIdSchema });

/** The schema says what is wrong with a bad id; a good one, on every request, needs only a plain test. */
function checkTrackId(id: string): void {
  if (isShareId(id)) return;
  const parsed = TrackParams.safeParse({ id });
  if (!parsed.success) {
    throw new HttpError('validation_failed', 'The request is not valid', { fields: fieldErrors(parsed.error.issues) });
  }
}

/**
 * The stream function: HLS playlists and segments, originals and covers, all
 * read-only. It is a plain request listener rather than an Express app: a
 * player asks for a segment every few seconds, and on Express the same routes
 * serve about half as many segments a second (`npm run bench:stream` measures
 * both).
 */
export function createApp({ config, database, logger, events, registry = createRegistry(), stopping }: StreamAppOptions): StreamApp {
  const tracks = new TrackStore(database.tracks);
  const byteCache = new ByteCache(config.streamCacheBytes);
  watchSegmentCache(registry, byteCache);
  const trackCache = new TrackCache(tracks, config.trackCacheMs, (trackId) => byteCache.forgetTrack(trackId));
  events?.on('deleted', (trackId) => trackCache.forget(trackId));
  const access = new AccessRecorder(tracks, logger);
  const playback = playbackHandlers({ trackCache, byteCache, segments: new SegmentStore(database.segments), access });
  const playlistPlayback = playlistPlaybackHandlers({ playlists: database.playlists, tracks });
  const files = fileHandlers({
    trackCache,
    byteCache,
    originals: new OriginalStore(database.originalFiles, database.originalChunks),
    covers: new CoverStore(database.covers),
    access,
  });

  const handlers: Record<StreamEndpoint, Handler> = {
    streamHealth: async (_req, res) => {
      if (stopping?.aborted) throw shuttingDown();
      await database.ping();
      sendJson(res, 200, { status: 'ok' });
    },
    masterPlaylist: (req, res, { id }) => playback.master(req, res, id!),
    mediaPlaylist: (req, res, { id, rendition }) => playback.mediaPlaylist(req, res, id!, rendition!),
    segment: (req, res, { id, rendition, file }) => playback.segment(req, res, id!, rendition!, file!),
    playlistMasterPlaylist: (req, res, { id }) => playlistPlayback.master(req, res, id!),
    playlistMediaPlaylist: (req, res, { id, rendition }) => playlistPlayback.mediaPlaylist(req, res, id!, rendition!),
    original: (req, res, { id }) => files.original(req, res, id!),
    cover: (req, res, { id }) => files.cover(req, res, id!),
    coverSize: (req, res, { id, width }) => files.coverSize(req, res, id!, width!),
  };
  const routes = streamRoutes(handlers);

  /** Answers a request for the route its path matched; a handler may answer without waiting. */
  const dispatch = (req: IncomingMessage, res: ServerResponse, path: string, found: MatchedRoute | undefined): void | Promise<void> => {
    if (!found) throw new HttpError('not_found', `There is no ${path} here`);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD, OPTIONS');
      throw new HttpError('method_not_allowed', `${req.method} is not allowed here; this function only reads`);
    }
    if (found.params.id !== undefined) checkTrackId(found.params.id);
    return found.route.handle(req, res, found.params);
  };

  const cors = corsPolicy(config.corsOrigins);
  const timeRequest = listenerRequestTimer(registry, 'stream');
  // a request is known in the metrics by its route's pattern (`/tracks/:id/:rendition/:file`), never by its path
  const patterns = new Map(routes.map((route) => [route, expressPath(endpoints[route.name].path)]));
  const app: RequestListener = (req, res) => {
    // routed once, on arrival: a gateway in front may rewrite req.url once the listener is done
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const found = matchRoute(routes, path);
    timeRequest(req, res, found && patterns.get(found.route));
    // nothing served is ever run as a page of this origin: types are taken as sent
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // a preflight is answered by the CORS policy itself
    const fail = (error: unknown) => sendError(res, error, logger, req.url);
    withRequestId(req, res, () =>
      cors(req, res, () => {
        try {
          dispatch(req, res, path, found)?.catch(fail);
        } catch (error) {
          fail(error);
        }
      }),
    );
  };
  return { app, byteCache, trackCache, routes };
}
