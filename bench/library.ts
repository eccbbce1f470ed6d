import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase, type RunningDatabase } from '../functions/local/embedded-database.js';
import { INIT_SEGMENT_FILE, mediaSegmentFile } from '../functions/core/hls.js';
import { newTrackId } from '../functions/shared/ids.js';
import { createLogger } from '../functions/shared/logger.js';
import type { StoredRendition, TrackDocument } from '../functions/core/schemas/track.js';
import { connectDatabase, type Database } from '../functions/shared/storage/database.js';
import { OriginalStore } from '../functions/shared/storage/original-store.js';
import { SegmentStore } from '../functions/shared/storage/segment-store.js';
import { startFunctionProcess } from '../test/support/function-process.js';
import { peakRssBytes } from '../test/support/proc.js';
import { processingTrack, storedRendition } from '../test/support/track-documents.js';
import {
  buildForBenchmark,
  cpuSeconds,
  deleteTrack,
  directorySize,
  mebibytes,
  median,
  noisyToneMp3,
  percentile,
  timed,
  uploadRaw,
} from './support.js';

/**
 * The database at library scale, measured through the functions: a library
 * of 10 tracks, then of 1,000 five-minute tracks (about 150,000 segment
 * documents, 17 GB), and the ratio between the two beside every figure.
 * Runs on the embedded database unless MONGODB_URI is set.
 *
 * BENCH_LIBRARY_TRACKS changes the large library's size; BENCH_RUNS the
 * ingests per size (3).
 */
const LARGE = Number(process.env.BENCH_LIBRARY_TRACKS ?? 1000);
const SMALL = 10;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const COLD_FETCHES = 500;
const WARM_UP_FETCHES = 200;
const TRACK_READS = 200;
const PAGE_REQUESTS = 20;
// the crud function answers six sweeps a minute per client
const SWEEPS = 3;
const RSS_LIMIT = 300 * 1024 * 1024;

const TRACK_SECONDS = 300;
const SEGMENT_SECONDS = 6;
const SEGMENTS_PER_RUNG = TRACK_SECONDS / SEGMENT_SECONDS;
const RUNGS = [
  { id: 'a64', bitrate: 64_000 },
  { id: 'a128', bitrate: 128_000 },
  { id: 'a256', bitrate: 256_000 },
] as const;
const ORIGINAL_BYTES = 50 * 1024 * 1024;

/** Segment payloads as big as the rung's real ones; their bytes do not matter to the database. */
const payloads = Object.fromEntries(RUNGS.map(({ id, bitrate }) => [id, randomBytes((bitrate / 8) * SEGMENT_SECONDS)]));

function readyTrack(index: number): TrackDocument {
  const durations = Array.from({ length: SEGMENTS_PER_RUNG }, () => SEGMENT_SECONDS);
  const renditions: StoredRendition[] = RUNGS.map(({ id, bitrate }) => storedRendition(id, bitrate, durations));
  const track = processingTrack(newTrackId(), { owner: 'seed', until: new Date(), attempts: 1 }, {
    status: 'ready',
    progress: 1,
    title: `Track ${index}`,
    artist: `Artist ${index % 97}`,
    album: `Album ${index % 211}`,
    durationSec: TRACK_SECONDS,
    renditions,
    loudness: { integratedLufs: -14, truePeakDbtp: -1, rangeLu: 5 },
    createdAt: new Date(Date.UTC(2026, 0, 1) + index * 60_000),
  });
  delete track.lease;
  return track;
}

/** Writes a track as the crud function leaves it: the track document, then every segment, a rung at a time. */
async function seedTrack(database: Database, index: number): Promise<TrackDocument> {
  const segments = new SegmentStore(database.segments);
  const track = readyTrack(index);
  await database.tracks.insertOne(track);
  for (const { id } of RUNGS) {
    const files = [INIT_SEGMENT_FILE, ...Array.from({ length: SEGMENTS_PER_RUNG }, (_, n) => mediaSegmentFile(n))];
    for (let first = 0; first < files.length; first += 16) {
      await segments.putMany(
        files.slice(first, first + 16).map((file) => ({ trackId: track._id, rendition: id, file, duration: SEGMENT_SECONDS, data: payloads[id]! })),
      );
    }
  }
  return track;
}

async function seed(database: Database, from: number, to: number): Promise<TrackDocument[]> {
  const seeded: TrackDocument[] = [];
  for (let index = from; index < to; index++) {
    seeded.push(await seedTrack(database, index));
    if ((index + 1) % 100 === 0) console.log(`  seeded ${index + 1} tracks`);
  }
  return seeded;
}

async function get(url: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  await response.arrayBuffer();
  return performance.now() - started;
}

interface Figures {
  coldP50: number;
  coldP99: number;
  trackP50: number;
  trackP99: number;
  restartMs: number;
  originalMs: number;
  pageMs: number;
  searchMs: number;
  sweepMs: number;
  ingestDatabaseCpu: number;
}

/** A random media segment of each of `count` distinct (track, rendition, segment) triples. */
function sampleSegments(tracks: TrackDocument[], count: number): Array<{ playlist: string; segment: string }> {
  const sampled = new Map<string, { playlist: string; segment: string }>();
  while (sampled.size < Math.min(count, tracks.length * RUNGS.length * SEGMENTS_PER_RUNG)) {
    const track = tracks[Math.floor(Math.random() * tracks.length)]!;
    const rung = RUNGS[Math.floor(Math.random() * RUNGS.length)]!.id;
    const segment = `${track._id}/${rung}/${mediaSegmentFile(Math.floor(Math.random() * SEGMENTS_PER_RUNG))}`;
    sampled.set(segment, { playlist: `${track._id}/${rung}/index.m3u8`, segment });
  }
  return [...sampled.values()];
}

/**
 * A cold segment fetch as a player makes it: the media playlist first (which
 * reads the track), then a segment nobody fetched before, which the stream
 * function keeps nowhere in memory. Only the segment is timed.
 */
async function coldSegmentFetches(streamUrl: string, samples: Array<{ playlist: string; segment: string }>): Promise<number[]> {
  const times: number[] = [];
  for (const { playlist, segment } of samples) {
    await get(`${streamUrl}/tracks/${playlist}`);
    times.push(await get(`${streamUrl}/tracks/${segment}`));
  }
  return times;
}

/** Every figure at the library's current size. */
async function measure(
  tracks: TrackDocument[],
  urls: { stream: string; crud: string },
  warmUpTrack: TrackDocument,
  originalId: string,
  mp3: string,
  engine: RunningDatabase,
): Promise<Figures> {
  // the same start for both sizes: connections open and code compiled, on a track not measured
  await coldSegmentFetches(urls.stream, sampleSegments([warmUpTrack], WARM_UP_FETCHES));
  const cold = await coldSegmentFetches(urls.stream, sampleSegments(tracks, COLD_FETCHES));
  const trackReads = await repeat(TRACK_READS, () => get(`${urls.crud}/tracks/${tracks[Math.floor(Math.random() * tracks.length)]!._id}`));

  const originalMs = median(await repeat(3, () => get(`${urls.stream}/tracks/${originalId}/original`)));
  const pageMs = median(await repeat(PAGE_REQUESTS, () => get(`${urls.crud}/tracks?limit=20`)));
  const searchMs = median(await repeat(PAGE_REQUESTS, () => get(`${urls.crud}/tracks?limit=20&q=artist%2042`)));
  const sweepMs = median(
    await repeat(SWEEPS, async () => {
      const started = performance.now();
      const response = await fetch(`${urls.crud}/sweep`, { method: 'POST' });
      if (!response.ok) throw new Error(`sweep answered ${response.status}`);
      return performance.now() - started;
    }),
  );

  const databasePid = engine.pid;
  const ingestCpu = await repeat(RUNS, async () => {
    const before = databasePid ? await cpuSeconds(databasePid) : 0;
    const { status, body } = await uploadRaw(urls.crud, mp3, 'audio/mpeg');
    if (status !== 201 || body.status !== 'ready') throw new Error(`ingest failed: ${JSON.stringify(body)}`);
    const used = databasePid ? (await cpuSeconds(databasePid)) - before : Number.NaN;
    await deleteTrack(urls.crud, body.id);
    return used;
  });
  return {
    coldP50: percentile(cold, 0.5),
    coldP99: percentile(cold, 0.99),
    trackP50: percentile(trackReads, 0.5),
    trackP99: percentile(trackReads, 0.99),
    restartMs: databasePid ? await restartTime(engine, urls.crud) : Number.NaN,
    originalMs,
    pageMs,
    searchMs,
    sweepMs,
    ingestDatabaseCpu: median(ingestCpu),
  };
}

/** The database process's peak RSS, over every process the benchmark ran. */
const databasePeaks: number[] = [];

/** How long after a SIGKILL of the database the crud function is healthy again. */
async function restartTime(engine: RunningDatabase, crudUrl: string): Promise<number> {
  databasePeaks.push(peakRssBytes(engine.pid!));
  const killed = performance.now();
  process.kill(engine.pid!, 'SIGKILL');
  await sleep(50);
  while ((await fetch(`${crudUrl}/healthz`)).status !== 200) await sleep(50);
  return performance.now() - killed;
}

async function repeat(times: number, work: () => Promise<number>): Promise<number[]> {
  const results: number[] = [];
  for (let index = 0; index < times; index++) results.push(await work());
  return results;
}

async function main() {
  await buildForBenchmark();
  const root = await mkdtemp(join(tmpdir(), 'segue-bench-library-'));
  const dataDir = join(root, 'data');
  const engine = await openDatabase(process.env.MONGODB_URI, dataDir, createLogger('warn', 'bench'));
  const database = await connectDatabase(engine.uri, 'bench-library');
  const env = { MONGODB_URI: engine.uri, MONGODB_DB: 'bench-library', TMPDIR: root };
  // nothing played is kept in the stream function's memory: every fetch measured is a database read
  const stream = await startFunctionProcess('stream', { ...env, STREAM_CACHE_BYTES: '0' }, { compiled: true });
  const crud = await startFunctionProcess('crud', { ...env, SWEEP_INTERVAL_SECONDS: '0', WRITE_RATE_LIMIT_PER_MINUTE: '0' }, { compiled: true });
  try {
    const mp3 = join(root, 'five-minutes-320k.mp3');
    await noisyToneMp3(mp3, TRACK_SECONDS);
    const originalPath = join(root, 'fifty-megabytes.bin');
    await writeFile(originalPath, randomBytes(ORIGINAL_BYTES));
    // a track of its own for the original's download and the warm-up, measured at neither size
    const originalTrack = await seedTrack(database, -1);
    await new OriginalStore(database.originalFiles, database.originalChunks).save(originalTrack._id, originalPath, {
      filename: 'fifty-megabytes.bin',
      mimeType: 'application/octet-stream',
      sha256: originalTrack.source.sha256,
    });
    const urls = { stream: stream.url, crud: crud.url };

    console.log(`library: the database at ${SMALL} and ${LARGE} five-minute tracks (${engine.engine})`);
    const library = await seed(database, 0, SMALL);
    const small = await measure(library, urls, originalTrack, originalTrack._id, mp3, engine);
    const seeding = await timed(() => seed(database, SMALL, LARGE));
    library.push(...seeding.result);
    const segmentCount = LARGE * RUNGS.length * (SEGMENTS_PER_RUNG + 1);
    console.log(`  seeded ${LARGE} tracks, ${segmentCount} segment documents, in ${seeding.seconds.toFixed(0)} s`);
    const large = await measure(library, urls, originalTrack, originalTrack._id, mp3, engine);

    const row = (label: string, unit: string, pick: (figures: Figures) => number, digits = 1) =>
      console.log(
        `  ${label.padEnd(38)} ${pick(small).toFixed(digits).padStart(8)} ${unit.padEnd(3)} ${pick(large).toFixed(digits).padStart(8)} ${unit.padEnd(3)}   ratio ${(pick(large) / pick(small)).toFixed(2)}`,
      );
    console.log(`  ${''.padEnd(38)} ${`${SMALL} tracks`.padStart(12)} ${`${LARGE} tracks`.padStart(12)}`);
    row('cold segment fetch, p50', 'ms', (figures) => figures.coldP50);
    row('cold segment fetch, p99', 'ms', (figures) => figures.coldP99);
    row('a track (GET /tracks/:id), p50', 'ms', (figures) => figures.trackP50);
    row('a track (GET /tracks/:id), p99', 'ms', (figures) => figures.trackP99);
    row(`a ${ORIGINAL_BYTES / 1024 / 1024} MB original, downloaded`, 'ms', (figures) => figures.originalMs, 0);
    row('a library page (20 tracks)', 'ms', (figures) => figures.pageMs);
    row('a search (20 tracks)', 'ms', (figures) => figures.searchMs);
    row('a sweeper pass', 'ms', (figures) => figures.sweepMs);
    row('database CPU per 5-minute ingest', 's', (figures) => figures.ingestDatabaseCpu, 2);
    row('healthy again after a SIGKILL', 'ms', (figures) => figures.restartMs, 0);

    if (engine.pid) {
      const sizeBefore = await directorySize(dataDir);
      for (const track of library) await deleteTrack(crud.url, track._id);
      // freed space is reused once the engine's retention time (45 s) has passed
      await sleep(60_000);
      await seed(database, 0, LARGE);
      const sizeAfter = await directorySize(dataDir);
      const growth = (sizeAfter - sizeBefore) / sizeBefore;
      console.log(
        `  disk: ${mebibytes(sizeBefore)} with ${LARGE} tracks; deleted all and stored ${LARGE} again: ${mebibytes(sizeAfter)} (${(growth * 100).toFixed(1)} % growth, limit 10 %)`,
      );
      const peak = Math.max(...databasePeaks, peakRssBytes(engine.pid));
      console.log(`  database peak RSS ${mebibytes(peak)} (limit ${mebibytes(RSS_LIMIT)})${peak > RSS_LIMIT ? '  OVER THE LIMIT' : ''}`);
    }
  } finally {
    await stream.stop();
    await crud.stop();
    await database.close();
    await engine.stop();
    await rm(root, { recursive: true, force: true });
  }
}

await main();
