import {
  type Collection,
  type Db,
  MongoBulkWriteError,
  MongoClient,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
import type { PlaylistDocument } from '../../core/schemas/playlist.js';
import type { TrackDocument } from '../../core/schemas/track.js';
import type { CoverDocument } from './cover-store.js';
import type { FingerprintDocument } from './fingerprint-store.js';
import type { OriginalChunkDocument, OriginalFileDocument } from './original-store.js';
import type { RemovalDocument } from './removal-store.js';
import type { SegmentDocument } from './segment-store.js';
import type { UploadDocument } from './upload-store.js';

export interface Database {
  client: MongoClient;
  db: Db;
  tracks: Collection<TrackDocument>;
  segments: Collection<SegmentDocument>;
  covers: Collection<CoverDocument>;
  originalFiles: Collection<OriginalFileDocument>;
  originalChunks: Collection<OriginalChunkDocument>;
  removals: Collection<RemovalDocument>;
  fingerprints: Collection<FingerprintDocument>;
  uploads: Collection<UploadDocument>;
  playlists: Collection<PlaylistDocument>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

const unreachable = [MongoServerSelectionError, MongoNetworkError, MongoNotConnectedError, MongoTopologyClosedError];

/** The database could not be reached (as opposed to refusing what was asked): trying again later may work. */
export function isDatabaseUnreachable(error: unknown): boolean {
  if (unreachable.some((type) => error instanceof type)) return true;
  // a bulk write (insertMany too) that could not reach the server carries the driver's error as its response
  return error instanceof MongoBulkWriteError && unreachable.some((type) => error.errorResponse instanceof type);
}

export interface ConnectOptions {
  /** how long an operation waits for a reachable server before failing (503 to clients) */
  serverSelectionTimeoutMS?: number;
  /** how long a connection waits for an answer before it is dropped and the operation fails (a read is retried once) */
  socketTimeoutMS?: number;
}

/** A handle on the database; the driver connects on first use. */
export function createDatabase(uri: string, dbName: string, options: ConnectOptions = {}): Database {
  const client = new MongoClient(uri, {
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5000,
    // an answer that never comes ends the connection instead of waiting for ever; reads are then retried once
    socketTimeoutMS: options.socketTimeoutMS ?? 60_000,
    appName: 'segue',
  });
  const db = client.db(dbName);
  return {
    client,
    db,
    tracks: db.collection<TrackDocument>('tracks'),
    segments: db.collection<SegmentDocument>('segments'),
    covers: db.collection<CoverDocument>('covers'),
    originalFiles: db.collection<OriginalFileDocument>('originals.files'),
    originalChunks: db.collection<OriginalChunkDocument>('originals.chunks'),
    removals: db.collection<RemovalDocument>('removals'),
    fingerprints: db.collection<FingerprintDocument>('fingerprints'),
    uploads: db.collection<UploadDocument>('uploads'),
    playlists: db.collection<PlaylistDocument>('playlists'),
    ping: async () => {
      await db.command({ ping: 1 });
    },
    close: () => client.close(),
  };
}

/** Connects and makes sure the indexes exist: what a function does once at start. */
export async function connectDatabase(uri: string, dbName: string, options: ConnectOptions = {}): Promise<Database> {
  const database = createDatabase(uri, dbName, options);
  try {
    await database.client.connect();
    await ensureIndexes(database);
  } catch (error) {
    // the caller may try again: this client's connections and monitors must not outlive the attempt
    await database.close().catch(() => undefined);
    throw error;
  }
  return database;
}

/**
 * The hot reads are `_id` lookups and need no index. On MongoDB these serve
 * the library and playlist listings (newest first), the sweeper's search for
 * expired leases, and a deleted track's search for the playlists holding it;
 * the embedded engine accepts them and keeps none, and reads the (small)
 * tracks and playlists collections whole for those.
 */
async function ensureIndexes({ tracks, segments, playlists }: Database) {
  await tracks.createIndex({ createdAt: -1, _id: -1 }, { name: 'newest_first' });
  await tracks.createIndex({ status: 1, 'lease.until': 1 }, { name: 'lease_expiry' });
  await segments.createIndex({ trackId: 1 }, { name: 'by_track' });
  await playlists.createIndex({ createdAt: -1, _id: -1 }, { name: 'newest_first' });
  await playlists.createIndex({ trackIds: 1 }, { name: 'by_track' });
}
