import express, { type Express, Router } from 'express';
import { endpoints } from '../core/endpoints.js';
import { openApiDocument } from '../shared/http/openapi.js';
import { mount } from '../shared/http/endpoint.js';
import { sweepRateLimit, writeRateLimit } from '../shared/http/rate-limit.js';
import { requireWriteIntent } from '../shared/http/write-intent.js';
import { version } from '../shared/version.js';
import { pinoHttp } from 'pino-http';
import { type CrudConfig, stagedBytesLimit } from './config.js';
import { requireApiKey } from '../shared/http/auth.js';
import { corsPolicy } from '../shared/http/cors.js';
import { requestId, withRequestId } from '../shared/http/request-id.js';
import { errorHandler, methodNotAllowed, routeNotFound } from '../shared/http/error-handler.js';
import { shuttingDown } from '../shared/http/http-error.js';
import { newReplicaId } from '../shared/ids.js';
import type { Logger } from '../shared/logger.js';
import { IngestMetrics } from '../shared/metrics/ingest-metrics.js';
import { createRegistry, type Registry } from '../shared/metrics/registry.js';
import { expressRequestMetrics } from '../shared/metrics/request-metrics.js';
import { CoverStore } from '../shared/storage/cover-store.js';
import type { Database } from '../shared/storage/database.js';
import { FingerprintStore } from '../shared/storage/fingerprint-store.js';
import { OriginalStore } from '../shared/storage/original-store.js';
import { PlaylistStore } from '../shared/storage/playlist-store.js';
import { RemovalStore } from '../shared/storage/removal-store.js';
import { SegmentStore } from '../shared/storage/segment-store.js';
import { TrackStore } from '../shared/storage/track-store.js';
import { UploadStore } from '../shared/storage/upload-store.js';
import type { TrackEvents } from '../shared/track-events.js';
import { Sweeper } from './jobs/sweeper.js';
import { StagingBudget } from './receive/staging-budget.js';
import { TrackProcessor } from './jobs/track-processor.js';
import { type MediaTools, resolveMediaTools } from './media/media-tools.js';
import { sweepUploads } from './receive/resumable/sweep-uploads.js';
import { playlistRoutes } from './routes/playlists.js';
import { trackRoutes } from './routes/tracks.js';
import { uploadRoutes } from './routes/uploads.js';
import type { CrudServices } from './services.js';

export interface CrudAppOptions {
  config: CrudConfig;
  database: Database;
  logger: Logger;
  tools?: MediaTools;
  /** this replica's name in leases; one is made up when not given */
  owner?: string;
  /** where deletions are announced to other functions in this process */
  events?: TrackEvents;
  /** where its metrics go (the process's, served on METRICS_PORT); one of its own when not given */
  registry?: Registry;
  /** aborted when the replica starts draining: what would start new work (uploads, sweeps) is refused */
  stopping?: AbortSignal;
  /** aborted shortly before the replica's grace period ends: uploads still arriving are refused then */
  cutOff?: AbortSignal;
}

export interface CrudApp {
  app: Express;
  processor: TrackProcessor;
  sweeper: Sweeper;
  /** stops background work and hands unfinished tracks back for another replica */
  shutdown(): Promise<void>;
}

/** The crud function: uploads, the library, tags, deletion and playlists. Listening is the caller's business. */
export function createApp(options: CrudAppOptions): CrudApp {
  const { config, database, logger } = options;
  const tools = options.tools ?? resolveMediaTools(config);
  const owner = options.owner ?? newReplicaId();
  const stores = {
    tracks: new TrackStore(database.tracks),
    segments: new SegmentStore(database.segments),
    originals: new OriginalStore(database.originalFiles, database.originalChunks),
    covers: new CoverStore(database.covers),
    removals: new RemovalStore(database.removals),
    fingerprints: new FingerprintStore(database.fingerprints),
    uploads: new UploadStore(database.uploads),
    playlists: new PlaylistStore(database.playlists),
  };
  const registry = options.registry ?? createRegistry();
  const metrics: IngestMetrics = new IngestMetrics(registry, () => processor.load);
  const processor = new TrackProcessor({ ...stores, config, tools, owner, logger, metrics });
  const budget = new StagingBudget(stagedBytesLimit(config));
  const services: CrudServices = {
    ...stores,
    config,
    tools,
    processor,
    owner,
    logger,
    metrics,
    events: options.events,
    uploadLimits: {
      tmpDir: config.tmpDir,
      maxBytes: config.maxUploadBytes,
      budget,
      pace: { idleMs: config.uploadIdleMs, minBytesPerSecond: config.minUploadBytesPerSecond },
      onBytes: (bytes) => metrics.uploadBytesReceived(bytes),
      cutOff: options.cutOff,
    },
    writeGuards: [requireWriteIntent(config.corsOrigins), requireApiKey(config.apiKeys), writeRateLimit(config.writeRateLimitPerMinute)],
  };
  const sweeper = new Sweeper({ ...services, sweepUploads: () => sweepUploads(services) });

  const app = express();
  app.disable('x-powered-by');
  // whose X-Forwarded-* to believe (client addresses for limits, the origin for write intent): only as configured
  app.set('trust proxy', config.trustProxy);
  app.use(expressRequestMetrics(registry, 'crud'));
  app.use(withRequestId);
  app.use(pinoHttp({ logger, genReqId: requestId, autoLogging: { ignore: (req) => req.url === '/healthz' } }));
  app.use(corsPolicy(config.corsOrigins));
  const { writeGuards } = services;
  // a client sent away now tries again, and another replica takes it
  app.use((req, _res, next) => next(req.method === 'POST' && options.stopping?.aborted ? shuttingDown() : undefined));
  const service = Router();
  mount(service, endpoints.health, writeGuards, async (_input, _req, res) => {
    if (options.stopping?.aborted) throw shuttingDown();
    await database.ping();
    res.json({ status: 'ok' });
  });
  // public: the cron-connector invokes through the gateway without a key, and a pass only does what is due anyway
  const sweepLimit = sweepRateLimit();
  for (const spec of [endpoints.sweep, endpoints.scheduledSweep]) {
    service.post(spec.path, sweepLimit);
    mount(service, spec, writeGuards, async (_input, _req, res) => {
      res.json(await sweeper.sweep());
    });
  }
  const document = openApiDocument(version);
  mount(service, endpoints.openApi, writeGuards, async (_input, _req, res) => {
    res.json(document);
  });
  app.use(service);
  app.use(trackRoutes(services), uploadRoutes(services), playlistRoutes(services));
  app.use(methodNotAllowed(Object.values(endpoints).filter((spec) => spec.function === 'crud')));
  app.use(routeNotFound);
  app.use(errorHandler(logger));

  return {
    app,
    processor,
    sweeper,
    shutdown: async () => {
      await sweeper.stop();
      await processor.shutdown();
    },
  };
}
