import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import type { Track } from '../../../functions/shared/schemas/track.js';
import { SWEEPS_PER_MINUTE } from '../../../functions/shared/http/rate-limit.js';
import { type CrudHarness, replicasPerTest } from '../../support/crud.js';
import { fixture } from '../../support/fixtures.js';

const DAY_MS = 24 * 60 * 60 * 1000;

async function ingest(harness: CrudHarness): Promise<Track> {
  const file = await fixture('oneSecondWav');
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
    expect(response.body).to.deep.equal({ resumed: 0, failed: 0, expired: 1 });
    expect((await harness.http.get(`/tracks/${old.id}`)).status).to.equal(404);
    expect((await harness.http.get(`/tracks/${recent.id}`)).status).to.equal(200);
    expect((await harness.http.post('/sweep')).body, 'a second pass finds nothing left to do').to.deep.equal({ resumed: 0, failed: 0, expired: 0 });
  });

  it('resumes a track another replica handed back, and the track ends ready', async () => {
    const file = await fixture('longWav');
    const first = await replica();
    const created = await first.http.post('/tracks').attach('file', file.path, file.filename);
    expect(created.status).to.equal(202);
    await first.crud.shutdown();

    const second = await replica();
    const response = await second.http.post('/sweep');
    expect(response.body).to.deep.equal({ resumed: 1, failed: 0, expired: 0 });
    await second.crud.processor.whenSettled(created.body.id);
    expect((await second.http.get(`/tracks/${created.body.id}`)).body.status).to.equal('ready');
  });

  it("answers the cron-connector, which can only POST to the function's root", async () => {
    const harness = await replica({ TRACK_TTL_DAYS: '30' });
    const old = await ingest(harness);
    await makeUnplayedForDays(harness, old, 45);
    const response = await harness.http.post('/').set({ 'X-Connector': 'cron-connector', 'X-Topic': 'cron-function' });
    expect(response.status).to.equal(200);
    expect(response.body).to.deep.equal({ resumed: 0, failed: 0, expired: 1 });
  });

  it('needs no API key when keys are configured, unlike the writes', async () => {
    const harness = await replica({ API_KEYS: 'secret-key' });
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
