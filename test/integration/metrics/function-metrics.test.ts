import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import supertest from 'supertest';
import type { Track } from '../../../functions/core/schemas/track.js';
import { freshDatabase, type TestDatabase, testDatabaseUri } from '../../support/database.js';
import { fixture } from '../../support/fixtures.js';
import { type FunctionProcess, startFunctionProcess } from '../../support/function-process.js';
import { freePort } from '../../support/net.js';
import { type Scrape, scrape } from '../../support/prometheus.js';

const REQUESTS = 'segue_http_request_duration_seconds_count';
const STAGES = ['probe', 'measure', 'store_original', 'transcode', 'loudness', 'store_segments'];

interface Replica {
  process: FunctionProcess;
  http: ReturnType<typeof supertest>;
  metricsUrl: string;
  metrics: () => Promise<Scrape>;
}

/** A function's real server entry in a process of its own, with its metrics on a loopback port of their own. */
async function startReplica(name: 'crud' | 'stream', env: Record<string, string>): Promise<Replica> {
  const port = await freePort();
  const process = await startFunctionProcess(name, { ...env, METRICS_PORT: String(port) });
  const metricsUrl = `http://127.0.0.1:${port}/metrics`;
  return { process, http: supertest(process.url), metricsUrl, metrics: () => scrape(metricsUrl) };
}

describe('each function’s Prometheus metrics', function () {
  this.timeout(240_000);
  let database: TestDatabase;
  let crud: Replica;
  let stream: Replica;
  /** the GETs of a track made while waiting for it, by status */
  const polls = new Map<number, number>();

  const untilSettled = async (id: string): Promise<Track> => {
    for (const giveUpAt = Date.now() + 180_000; Date.now() < giveUpAt; await sleep(200)) {
      const response = await crud.http.get(`/tracks/${id}`);
      polls.set(response.status, (polls.get(response.status) ?? 0) + 1);
      if (response.body.status !== 'processing') return response.body as Track;
    }
    throw new Error(`track ${id} is still processing`);
  };

  before(async () => {
    database = await freshDatabase();
    // one slot: a second upload waits for the first one's job
    const env = { MONGODB_URI: testDatabaseUri(), MONGODB_DB: database.name, MAX_CONCURRENT_JOBS: '1' };
    crud = await startReplica('crud', env);
    stream = await startReplica('stream', env);
  });
  after(async () => {
    await crud?.process.stop();
    await stream?.process.stop();
    await database?.drop();
  });

  let long: Track;
  let short: Track;

  it('counts uploads, their bytes and stages, and jobs waiting and running, back to 0 once done', async () => {
    const [longFile, shortFile, notAudio] = await Promise.all([fixture('longWav'), fixture('oneSecondWav'), fixture('textAsMp3')]);
    const upload = (file: { path: string; filename: string }) => crud.http.post('/tracks').attach('file', file.path, file.filename);
    const first = await upload(longFile);
    const second = await upload(shortFile);
    expect([first.status, second.status]).to.deep.equal([202, 202]);

    const busy = await crud.metrics();
    expect(busy.sum('segue_jobs_running'), 'the long track transcodes').to.equal(1);
    expect(busy.sum('segue_jobs_queued'), 'the short one waits for the slot').to.equal(1);

    long = await untilSettled(first.body.id);
    short = await untilSettled(second.body.id);
    expect([long.status, short.status]).to.deep.equal(['ready', 'ready']);
    const refused = await upload(notAudio);
    expect(refused.status).to.equal(415);

    const done = await crud.metrics();
    expect(done.sum('segue_jobs_running')).to.equal(0);
    expect(done.sum('segue_jobs_queued')).to.equal(0);
    expect(done.sum('segue_jobs_finished_total', { outcome: 'ready' })).to.equal(2);
    expect(done.sum('segue_jobs_finished_total', { outcome: 'failed' })).to.equal(0);
    expect(done.sum('segue_uploads_total', { outcome: 'accepted' })).to.equal(2);
    expect(done.sum('segue_uploads_total', { outcome: 'unsupported_media_type' })).to.equal(1);
    const bytes = await Promise.all([longFile, shortFile, notAudio].map(async (file) => (await stat(file.path)).size));
    expect(done.sum('segue_upload_received_bytes_total')).to.equal(bytes[0]! + bytes[1]! + bytes[2]!);

    // a stage is timed when it succeeds: the refused file's failed probe is not among them
    for (const stage of STAGES) {
      const count = done.sum('segue_ingest_stage_duration_seconds_count', { stage });
      if (stage === 'store_segments') {
        const rungs = long.renditions.length + short.renditions.length;
        expect(count, 'a write (or more) of each rung, its init segment with its first media segments').to.be.at.least(rungs);
      } else {
        expect(count, stage).to.equal(2);
      }
      expect(done.sum('segue_ingest_stage_duration_seconds_sum', { stage }), stage).to.be.greaterThan(0);
    }
  });

  it('times crud requests by route pattern and status code, never by the path asked for', async () => {
    expect((await crud.http.get('/tracks/AAAAAAAAAAAA')).status).to.equal(404);
    expect((await crud.http.get('/no/such/path')).status).to.equal(404);
    const metrics = await crud.metrics();
    const requests = (labels: Record<string, string>) => metrics.sum(REQUESTS, { function: 'crud', ...labels });

    expect(requests({ method: 'POST', route: '/tracks', status_code: '202' })).to.equal(2);
    expect(requests({ method: 'POST', route: '/tracks', status_code: '415' })).to.equal(1);
    expect(requests({ method: 'GET', route: '/tracks/:id', status_code: '200' })).to.equal(polls.get(200));
    expect(requests({ method: 'GET', route: '/tracks/:id', status_code: '404' })).to.equal(1);
    expect(requests({ method: 'GET', route: 'unmatched', status_code: '404' })).to.equal(1);
    const labelValues = metrics.samples.flatMap((sample) => Object.values(sample.labels));
    for (const id of [long.id, short.id, 'AAAAAAAAAAAA']) {
      expect(labelValues.some((value) => value.includes(id)), `no label names ${id}`).to.equal(false);
    }
  });

  it('counts segment cache misses and hits on the stream function, and the bytes it holds', async () => {
    const segment = `/tracks/${short.id}/a128/000000.m4s`;
    expect((await stream.http.get(`/tracks/${short.id}/master.m3u8`)).status).to.equal(200);
    const before = await stream.metrics();
    const lookups = (metrics: Scrape, result: string) => metrics.sum('segue_stream_cache_lookups_total', { result });

    const first = await stream.http.get(segment).buffer(true);
    expect(first.status).to.equal(200);
    const afterMiss = await stream.metrics();
    expect(lookups(afterMiss, 'miss') - lookups(before, 'miss')).to.equal(1);
    expect(lookups(afterMiss, 'hit') - lookups(before, 'hit')).to.equal(0);
    expect(afterMiss.sum('segue_stream_cache_size_bytes')).to.equal(Number(first.headers['content-length']));

    expect((await stream.http.get(segment)).status).to.equal(200);
    expect((await stream.http.get(segment).set('If-None-Match', first.headers.etag!)).status).to.equal(304);
    const afterHits = await stream.metrics();
    expect(lookups(afterHits, 'hit') - lookups(before, 'hit')).to.equal(2);
    expect(lookups(afterHits, 'miss') - lookups(before, 'miss')).to.equal(1);

    const requests = (labels: Record<string, string>) => afterHits.sum(REQUESTS, { function: 'stream', method: 'GET', ...labels });
    expect(requests({ route: '/tracks/:id/:rendition/:file', status_code: '200' })).to.equal(2);
    expect(requests({ route: '/tracks/:id/:rendition/:file', status_code: '304' })).to.equal(1);
    expect(requests({ route: '/tracks/:id/master.m3u8', status_code: '200' })).to.equal(1);
  });

  it('reports the process, and no database error on a healthy database', async () => {
    for (const replica of [crud, stream]) {
      const metrics = await replica.metrics();
      expect(metrics.sum('process_cpu_user_seconds_total')).to.be.greaterThan(0);
      expect(metrics.sum('nodejs_heap_size_used_bytes')).to.be.greaterThan(0);
      expect(metrics.matching('segue_database_errors_total')).to.have.length(4);
      expect(metrics.sum('segue_database_errors_total')).to.equal(0);
    }
  });

  it('serves the metrics only on their own port, never on the one the gateway forwards to', async () => {
    for (const replica of [crud, stream]) {
      const publicPath = await replica.http.get('/metrics');
      expect(publicPath.status).to.equal(404);
      expect(publicPath.text).to.not.contain('segue_');
    }
    // and the metrics port serves nothing else
    for (const path of ['/tracks', '/healthz', '/']) expect((await fetch(new URL(path, crud.metricsUrl))).status, path).to.equal(404);
  });
});
