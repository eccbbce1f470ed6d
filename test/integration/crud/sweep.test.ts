import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import type { Track } from '../../../functions/core/schemas/track.js';
import { SWEEPS_PER_MINUTE } from '../../../functions/shared/http/rate-limit.js';
import { statSync } from 'node:fs';
import { newTrackId } from '../../../functions/shared/ids.js';
import { ORIGINAL_CHUNK_BYTES, OriginalStore } from '../../../functions/shared/storage/original-store.js';
import { RemovalStore } from '../../../functions/shared/storage/removal-store.js';
import { type CrudHarness, cutDeletionShort, replicasPerTest, storedCounts } from '../../support/crud.js';
import { distinctCopy, fixture } from '../../support/fixtures.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A new track each time: bytes of its own, or it would be answered with the track they made before. */
async function ingest(harness: CrudHarness): Promise<Track> {
  const file = await distinctCopy('oneSecondWav');
  const response = await harness.http.post('/tracks?wait=true').attach('file', file.path, file.filename);
  expect(response.status).to.equal(201);
  return response.body as Track;
}

/** Staged time: the track was uploaded long ago and never played. */
const makeUnplayedForDays = (harness: CrudHarness, track: Track, days: number) =>
  harness.database.tracks.updateOne({ _id: track.id }, { $set: { createdAt: new Date(Date.now() - days * DAY_MS), lastAccessedAt: null } });

describe('POST /sweep', function () {
  this.timeout(180_000);
  const replicas = replicasPerTest();
  const replica = (env: Record<string, string> = {}) => replicas.replica(env);

  it('runs one pass and says what it did: a track past TRACK_TTL_DAYS is removed', async () => {
    const harness = await replica({ TRACK_TTL_DAYS: '30' });
    const old = await ingest(harness);
    const recent = await ingest(harness);
    await makeUnplayedForDays(harness, old, 45);

    const response = await harness.http.post('/sweep');
    expect(response.status).to.equal(200);
    expect(response.body).to.deep.equal({ resumed: 0, failed: 0, expired: 1, cleanedUp: 0, uploadsExpired: 0, uploadsFinished: 0 });
    expect((await harness.http.get(`/tracks/${old.id}`)).status).to.equal(404);
    expect((await harness.http.get(`/tracks/${recent.id}`)).status).to.equal(200);
    expect((await harness.http.post('/sweep')).body, 'a second pass finds nothing left to do').to.deep.equal({ resumed: 0, failed: 0, expired: 0, cleanedUp: 0, uploadsExpired: 0, uploadsFinished: 0 });
  });

  it('resumes a track another replica handed back, and the track ends ready', async () => {
    const file = await fixture('longWav');
    const first = await replica();
    const created = await first.http.post('/tracks').attach('file', file.path, file.filename);
    expect(created.status).to.equal(202);
    await first.crud.shutdown();

    const second = await replica();
    const response = await second.http.post('/sweep');
    expect(response.body).to.deep.equal({ resumed: 1, failed: 0, expired: 0, cleanedUp: 0, uploadsExpired: 0, uploadsFinished: 0 });
    await second.crud.processor.whenSettled(created.body.id);
    expect((await second.http.get(`/tracks/${created.body.id}`)).body.status).to.equal('ready');
  });

  it("answers the cron-connector, which can only POST to the function's root", async () => {
    const harness = await replica({ TRACK_TTL_DAYS: '30' });
    const old = await ingest(harness);
    await makeUnplayedForDays(harness, old, 45);
    const response = await harness.http.post('/').set({ 'X-Connector': 'cron-connector', 'X-Topic': 'cron-function' });
    expect(response.status).to.equal(200);
    expect(response.body).to.deep.equal({ resumed: 0, failed: 0, expired: 1, cleanedUp: 0, uploadsExpired: 0, uploadsFinished: 0 });
  });

  it('needs no API key when keys are configured, unlike the writes', async () => {
    const harness = await replica({ API_KEYS: 'secret-key-0123456789abcdef0123456789a' });
    expect((await harness.http.post('/tracks').set('Content-Type', 'audio/wav').send(Buffer.alloc(16))).status).to.equal(401);
    expect((await harness.http.post('/sweep')).status).to.equal(200);
  });

  it(`refuses more than ${SWEEPS_PER_MINUTE} a minute from one client with 429 and Retry-After`, async () => {
    const harness = await replica();
    // both paths draw on one allowance
    for (let call = 0; call < SWEEPS_PER_MINUTE; call++) expect((await harness.http.post(call % 2 ? '/' : '/sweep')).status).to.equal(200);
    const refused = await harness.http.post('/sweep');
    expect(refused.status).to.equal(429);
    expect(refused.body.error.code).to.equal('rate_limited');
    expect(Number(refused.headers['retry-after'])).to.be.above(0);
    const madeUpKey = await harness.http.post('/sweep').set('Authorization', 'Bearer anything-at-all');
    expect(madeUpKey.status, 'an Authorization header buys no fresh allowance').to.equal(429);
  });

  it('is the only sweeping once SWEEP_INTERVAL_SECONDS=0 turns the in-process sweeper off', async () => {
    const off = await replica({ TRACK_TTL_DAYS: '30', SWEEP_INTERVAL_SECONDS: '0' });
    const old = await ingest(off);
    await makeUnplayedForDays(off, old, 45);
    off.crud.sweeper.start();
    await sleep(500);
    expect((await off.http.get(`/tracks/${old.id}`)).status, 'nothing swept by itself').to.equal(200);

    const on = await replica({ TRACK_TTL_DAYS: '30', SWEEP_INTERVAL_SECONDS: '1' });
    on.crud.sweeper.start();
    let status = 200;
    for (let tries = 0; status === 200 && tries < 40; tries++) {
      await sleep(100);
      status = (await on.http.get(`/tracks/${old.id}`)).status;
    }
    expect(status, 'a replica with the sweeper on removes it by itself').to.equal(404);
  });
});

describe('POST /sweep, for removals cut short', function () {
  this.timeout(120_000);
  const replicas = replicasPerTest();
  const HOUR_MS = 60 * 60 * 1000;

  async function ingestWithCover(harness: CrudHarness): Promise<Track> {
    const file = await distinctCopy('taggedMp3');
    const response = await harness.http.post('/tracks?wait=true').attach('file', file.path, file.filename);
    expect(response.body).to.include({ status: 'ready', hasCover: true });
    return response.body as Track;
  }

  it('finishes deleting a track whose deletion stopped after its document went', async () => {
    const harness = await replicas.replica();
    const kept = await ingestWithCover(harness);
    const track = await ingestWithCover(harness);
    await cutDeletionShort(harness, track);

    expect((await harness.http.post('/sweep')).body).to.include({ cleanedUp: 1 });
    const counts = await storedCounts(harness);
    const keptSegments = kept.renditions.reduce((sum, rendition) => sum + rendition.segmentCount + 1, 0);
    expect(counts).to.include({ tracks: 1, segments: keptSegments, covers: 1, originals: 1, removals: 0 });
    expect(counts.originalChunks).to.equal(Math.ceil(kept.source.bytes / ORIGINAL_CHUNK_BYTES));
    expect((await harness.http.post('/sweep')).body, 'nothing is left to finish').to.include({ cleanedUp: 0, uploadsExpired: 0, uploadsFinished: 0 });
  });

  it("lets an upload's note go once its track exists, and never touches the track", async () => {
    const harness = await replicas.replica();
    const track = await ingestWithCover(harness);
    await new RemovalStore(harness.database.removals).begin({ _id: track.id, kind: 'upload', originalBytes: track.source.bytes, durationSec: 0 });
    await harness.database.removals.updateOne({ _id: track.id }, { $set: { since: new Date(Date.now() - 2 * HOUR_MS) } });

    expect((await harness.http.post('/sweep')).body).to.include({ cleanedUp: 0, uploadsExpired: 0, uploadsFinished: 0 });
    expect(await storedCounts(harness)).to.include({ tracks: 1, covers: 1, originals: 1, removals: 0 });
  });

  it('removes what an upload stored and never made a track of, once it cannot still be under way', async () => {
    const harness = await replicas.replica();
    const file = await fixture('taggedMp3');
    const removals = new RemovalStore(harness.database.removals);
    const originals = new OriginalStore(harness.database.originalFiles, harness.database.originalChunks);
    const [abandoned, underWay] = [newTrackId(), newTrackId()];
    for (const id of [abandoned, underWay]) {
      await removals.begin({ _id: id, kind: 'upload', originalBytes: statSync(file.path).size, durationSec: 0 });
      await originals.save(id, file.path, { filename: file.filename, mimeType: 'audio/mpeg', sha256: '0'.repeat(64) });
    }
    await harness.database.removals.updateOne({ _id: abandoned }, { $set: { since: new Date(Date.now() - 2 * HOUR_MS) } });

    expect((await harness.http.post('/sweep')).body).to.include({ cleanedUp: 1 });
    expect(await originals.find(abandoned)).to.equal(null);
    expect(await harness.database.originalChunks.countDocuments({ files_id: abandoned })).to.equal(0);
    expect(await originals.find(underWay), 'an upload that may still be storing is left alone').to.not.equal(null);
    expect(await storedCounts(harness)).to.include({ removals: 1 });
  });
});
