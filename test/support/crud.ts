import { readdir, rm } from 'node:fs/promises';
import { expect } from 'chai';
import supertest from 'supertest';
import { type CrudApp, createApp } from '../../functions/crud/app.js';
import type { Config } from '../../functions/local/config.js';
import { createLogger, type Logger } from '../../functions/shared/logger.js';
import type { Registry } from '../../functions/shared/metrics/registry.js';
import type { Track, TrackDocument } from '../../functions/core/schemas/track.js';
import { RemovalStore } from '../../functions/shared/storage/removal-store.js';
import { testConfig } from './config.js';
import { freshDatabase, type TestDatabase } from './database.js';
import { distinctCopy } from './fixtures.js';
import { decodedDurationSec, withStoredRendition } from './media.js';

export interface CrudHarness {
  crud: CrudApp;
  config: Config;
  database: TestDatabase;
  /** the TMPDIR this app works in, to prove it leaves nothing there */
  tmpDir: string;
  http: ReturnType<typeof supertest>;
  close(): Promise<void>;
}

/** The crud app on a database of its own, with its own temp dir; `env` overrides configuration. */
export async function startCrud(env: Record<string, string> = {}, database?: TestDatabase, logger?: Logger, registry?: Registry): Promise<CrudHarness> {
  const { config, tmpDir } = await testConfig(env);
  const db = database ?? (await freshDatabase());
  const crud = createApp({ config, database: db, logger: logger ?? createLogger(config.logLevel, 'crud-test'), ...(registry ? { registry } : {}) });
  return {
    crud,
    config,
    database: db,
    tmpDir,
    http: supertest(crud.app),
    close: async () => {
      await crud.shutdown();
      if (!database) await db.drop();
      await rm(tmpDir, { recursive: true, force: true });
    },
  };
}

export interface StoredCounts {
  tracks: number;
  segments: number;
  covers: number;
  originals: number;
  originalChunks: number;
  /** removals begun and not finished */
  removals: number;
  /** originals' SHA-256s claimed by a track (or an upload under way) */
  fingerprints: number;
  /** resumable uploads, finished or not */
  uploads: number;
  tempEntries: number;
}

export async function storedCounts({ database, tmpDir }: CrudHarness): Promise<StoredCounts> {
  const [tracks, segments, covers, originals, originalChunks, removals, fingerprints, uploads, tempEntries] = await Promise.all([
    database.tracks.countDocuments(),
    database.segments.countDocuments(),
    database.covers.countDocuments(),
    database.db.collection('originals.files').countDocuments(),
    database.db.collection('originals.chunks').countDocuments(),
    database.removals.countDocuments(),
    database.fingerprints.countDocuments(),
    database.uploads.countDocuments(),
    readdir(tmpDir).then((entries) => entries.length),
  ]);
  return { tracks, segments, covers, originals, originalChunks, removals, fingerprints, uploads, tempEntries };
}

export async function expectNothingStored(harness: CrudHarness): Promise<void> {
  expect(await storedCounts(harness)).to.deep.equal({
    tracks: 0,
    segments: 0,
    covers: 0,
    originals: 0,
    originalChunks: 0,
    removals: 0,
    fingerprints: 0,
    uploads: 0,
    tempEntries: 0,
  });
}

/**
 * For suites of several replicas sharing one database: each test gets a fresh
 * database, `replica(env)` starts a crud app on it, and all are closed after
 * the test.
 */
export function replicasPerTest(defaults: Record<string, string> = {}) {
  let database: TestDatabase | undefined;
  const harnesses: CrudHarness[] = [];
  beforeEach(async () => {
    database = await freshDatabase();
  });
  afterEach(async () => {
    for (const harness of harnesses.splice(0)) await harness.close();
    await database?.drop();
  });
  return {
    get database(): TestDatabase {
      if (!database) throw new Error('the database exists only while a test runs');
      return database;
    },
    /** `database`: this test's, or a view of it such as `answeringLate` gives */
    async replica(env: Record<string, string> = {}, database?: TestDatabase): Promise<CrudHarness> {
      const harness = await startCrud({ ...defaults, ...env }, database ?? this.database);
      harnesses.push(harness);
      return harness;
    },
  };
}

/** The track is ready, its lease gone, and every rendition is stored whole and decodes to the source's length. */
export async function expectReadyWithCompleteRenditions(harness: CrudHarness, id: string, durationSec: number) {
  const track = (await harness.http.get(`/tracks/${id}`)).body as Track;
  expect(track.status).to.equal('ready');
  const stored = (await harness.database.tracks.findOne({ _id: id })) as TrackDocument;
  expect(stored.lease, 'the lease is gone once ready').to.equal(undefined);
  const expectedSegments = track.renditions.reduce((sum, rendition) => sum + rendition.segmentCount + 1, 0);
  expect(await harness.database.segments.countDocuments({ trackId: id })).to.equal(expectedSegments);
  for (const rendition of track.renditions) {
    await withStoredRendition(harness.database, id, rendition.id, rendition.segmentCount, async (path) => {
      expect(await decodedDurationSec(path)).to.be.closeTo(durationSec, 0.1);
    });
  }
}

/** Leaves a track as a DELETE leaves it when the database goes away right after the track's document is removed. */
export async function cutDeletionShort(harness: Pick<CrudHarness, 'database'>, track: Track): Promise<void> {
  await new RemovalStore(harness.database.removals).begin({
    _id: track.id,
    kind: 'track',
    originalBytes: track.source.bytes,
    durationSec: track.durationSec,
    sha256: track.source.sha256,
  });
  await harness.database.tracks.deleteOne({ _id: track.id });
}

/** A new ready track each time: bytes of its own, or it would be answered with the track they made before. */
export async function uploadTrack(harness: CrudHarness, fields: Record<string, string> = {}): Promise<Track> {
  const file = await distinctCopy('oneSecondWav');
  let request = harness.http.post('/tracks?wait=true');
  for (const [name, value] of Object.entries(fields)) request = request.field(name, value);
  const response = await request.attach('file', file.path, file.filename);
  expect(response.status, JSON.stringify(response.body)).to.equal(201);
  return response.body as Track;
}
