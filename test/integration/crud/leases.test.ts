import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import type { Document } from 'mongodb';
import supertest from 'supertest';
import type { GrowingRenditions, RenditionId, Track, TrackDocument } from '../../../functions/core/schemas/track.js';
import { expectReadyWithCompleteRenditions, replicasPerTest } from '../../support/crud.js';
import { startFunctionProcess } from '../../support/function-process.js';
import { answeringLate, testDatabaseUri } from '../../support/database.js';
import { killReplicasUnderTrack } from '../../support/dying-replicas.js';
import { fixture } from '../../support/fixtures.js';

const LEASE = { LEASE_SECONDS: '2' };

describe('leases on processing tracks', function () {
  this.timeout(180_000);
  const replicas = replicasPerTest(LEASE);
  const replica = () => replicas.replica();
  /** A replica in a process of its own, on the suite's database, to be killed midway. */
  const doomedReplica = async () => {
    const deadTmp = await mkdtemp(join(tmpdir(), 'segue-dead-replica-'));
    const env = { MONGODB_URI: testDatabaseUri(), MONGODB_DB: replicas.database.name, TMPDIR: deadTmp, ...LEASE };
    return { ...(await startFunctionProcess('crud', env)), deadTmp };
  };

  it('resumes a track whose replica died midway, and the track still ends ready', async () => {
    const file = await fixture('longWav');
    const { child, url, deadTmp } = await doomedReplica();
    try {
      const created = await supertest(url).post('/tracks').attach('file', file.path, file.filename);
      expect(created.status).to.equal(202);
      // kill it once part of the ladder is stored and the rest is still being encoded
      let written = 0;
      while (written === 0) {
        await sleep(50);
        written = await replicas.database.segments.countDocuments({ trackId: created.body.id });
      }
      child.kill('SIGKILL');
      const interrupted = await replicas.database.tracks.findOne({ _id: created.body.id });
      expect(interrupted?.status).to.equal('processing');
      expect(interrupted?.progress).to.be.below(1);

      const survivor = await replica();
      expect((await survivor.crud.sweeper.sweep()).resumed, 'nothing is taken over while the lease holds').to.equal(0);
      await sleep(2500);
      expect((await survivor.crud.sweeper.sweep()).resumed).to.equal(1);
      const resumed = await replicas.database.tracks.findOne({ _id: created.body.id });
      expect(resumed?.lease?.attempts).to.equal(2);
      await survivor.crud.processor.whenSettled(created.body.id);
      await expectReadyWithCompleteRenditions(survivor, created.body.id, file.durationSec);
    } finally {
      child.kill('SIGKILL');
      await rm(deadTmp, { recursive: true, force: true });
    }
  });

  it('keeps every listed segment listed and stored while another replica resumes the track: its playlists only grow', async () => {
    const file = await fixture('longWav');
    const { child, url, deadTmp } = await doomedReplica();
    const listedNow = async (id: string) => ((await replicas.database.tracks.findOne({ _id: id })) as TrackDocument | null)?.growing ?? {};
    try {
      const created = await supertest(url).post('/tracks').attach('file', file.path, file.filename);
      expect(created.status).to.equal(202);
      const id = created.body.id as string;
      // killed once it can be played, with the rest still being encoded
      let before: GrowingRenditions = {};
      while (!Object.values(before).some((rung) => rung.segmentDurations.length >= 2)) {
        await sleep(20);
        before = await listedNow(id);
      }
      child.kill('SIGKILL');
      before = await listedNow(id);

      const survivor = await replica();
      await sleep(2500);
      expect((await survivor.crud.sweeper.sweep()).resumed).to.equal(1);
      let seen = before;
      while ((await replicas.database.tracks.findOne({ _id: id }))?.status === 'processing') {
        const now = await listedNow(id);
        for (const [rung, earlier] of Object.entries(seen)) {
          const later = now[rung as RenditionId]?.segmentDurations ?? [];
          expect(later.slice(0, earlier.segmentDurations.length), `${rung}: what was listed stays listed, as it was`).to.deep.equal(earlier.segmentDurations);
          const ids = later.map((_, index) => `${id}/${rung}/${String(index).padStart(6, '0')}.m4s`);
          expect(await replicas.database.segments.countDocuments({ _id: { $in: [...ids, `${id}/${rung}/init.mp4`] } }), `${rung}: every listed segment is stored`).to.equal(ids.length + 1);
        }
        seen = now;
        await sleep(50);
      }
      await survivor.crud.processor.whenSettled(id);
      const ready = (await supertest(survivor.crud.app).get(`/tracks/${id}`)).body as Track;
      expect(ready.status).to.equal('ready');
      const stored = (await replicas.database.tracks.findOne({ _id: id })) as TrackDocument;
      for (const [rung, earlier] of Object.entries(before)) {
        const rendition = stored.renditions.find((candidate) => candidate.id === rung)!;
        expect(rendition.segmentDurations.slice(0, earlier.segmentDurations.length), `${rung}: the finished rendition goes on from them`).to.deep.equal(earlier.segmentDurations);
      }
      await expectReadyWithCompleteRenditions(survivor, id, file.durationSec);
    } finally {
      child.kill('SIGKILL');
      await rm(deadTmp, { recursive: true, force: true });
    }
  });

  it('hands a track back on shutdown, so another replica resumes it at once', async () => {
    const file = await fixture('longWav');
    const first = await replica();
    const created = await first.http.post('/tracks').attach('file', file.path, file.filename);
    expect(created.status).to.equal(202);
    await first.crud.shutdown();
    expect((await first.http.get(`/tracks/${created.body.id}`)).body.status).to.equal('processing');

    const second = await replica();
    expect((await second.crud.sweeper.sweep()).resumed).to.equal(1);
    await second.crud.processor.whenSettled(created.body.id);
    await expectReadyWithCompleteRenditions(second, created.body.id, file.durationSec);
  });

  it('renews no lease it has handed back, however late the database answers the hand-back', async () => {
    const file = await fixture('longWav');
    // the hand-back (its lease set to run out at once) is done, and answered after a renewal has fallen due
    const handBack = (update: Document) => update.$set?.['lease.until']?.getTime() === 0;
    const first = await replicas.replica({}, answeringLate(replicas.database, 2000, handBack));
    const created = await first.http.post('/tracks').attach('file', file.path, file.filename);
    expect(created.status).to.equal(202);
    const shutdownBegan = new Date();
    await first.crud.shutdown();
    const lease = (await replicas.database.tracks.findOne({ _id: created.body.id }))?.lease;
    expect(lease?.until, 'nothing extended the lease after the hand-back').to.be.below(shutdownBegan);
    const second = await replica();
    expect((await second.crud.sweeper.sweep()).resumed).to.equal(1);
  });

  it('does not count a graceful hand-back as an attempt: after four rolling restarts the track still ends ready', async () => {
    const file = await fixture('longWav');
    const first = await replica();
    const created = await first.http.post('/tracks').attach('file', file.path, file.filename);
    expect(created.status).to.equal(202);
    await first.crud.shutdown();
    for (let restart = 0; restart < 4; restart++) {
      const next = await replica();
      expect((await next.crud.sweeper.sweep()).resumed).to.equal(1);
      await next.crud.shutdown();
    }
    const last = await replica();
    expect((await last.crud.sweeper.sweep()).resumed).to.equal(1);
    expect((await replicas.database.tracks.findOne({ _id: created.body.id }))?.lease?.attempts, 'none of the hand-backs counted').to.equal(1);
    await last.crud.processor.whenSettled(created.body.id);
    await expectReadyWithCompleteRenditions(last, created.body.id, file.durationSec);
  });

  it('fails a track whose replicas died under it three times, with a reason and no segments', async () => {
    const file = await fixture('longWav');
    // sweeping only when asked, so that each replica takes the track over on cue
    const env = { MONGODB_URI: testDatabaseUri(), MONGODB_DB: replicas.database.name, SWEEP_INTERVAL_SECONDS: '0', ...LEASE };
    const id = await killReplicasUnderTrack(env, file);
    const last = await replica();
    expect((await last.crud.sweeper.sweep()).failed).to.equal(1);
    const track = (await last.http.get(`/tracks/${id}`)).body as Track;
    expect(track.status).to.equal('failed');
    expect(track.error?.code).to.equal('too_many_attempts');
    expect(await replicas.database.segments.countDocuments({ trackId: id })).to.equal(0);
  });
});
