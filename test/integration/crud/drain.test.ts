import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import supertest from 'supertest';
import type { Track } from '../../../functions/core/schemas/track.js';
import { expectReadyWithCompleteRenditions, replicasPerTest } from '../../support/crud.js';
import { testDatabaseUri } from '../../support/database.js';
import { fixture } from '../../support/fixtures.js';
import { type FunctionProcess, startFunctionProcess } from '../../support/function-process.js';
import { DRAIN_TEST_ENV, expectHandedBack, underWay, untilDraining } from '../../support/drain.js';
import { dripUpload, freePort, piecesOf, type TcpLink, tcpLink } from '../../support/net.js';
import { waitForStatus } from '../../support/openfaas.js';
import { exitOf, until } from '../../support/proc.js';

/** What the replica left in its temp dir (tsx keeps a cache of its own there). */
const leftIn = async (dir: string) => (await readdir(dir)).filter((name) => name.startsWith('segue-'));

describe('a crud replica sent SIGTERM (a rollout, a scale-down, a node drain)', function () {
  this.timeout(180_000);
  const replicas = replicasPerTest();
  let tmp: string;
  let replica: FunctionProcess | undefined;
  beforeEach(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'segue-draining-'));
  });
  afterEach(async () => {
    replica?.child.kill('SIGKILL');
    replica = undefined;
    await rm(tmp, { recursive: true, force: true });
  });

  /** A replica of its own, once it takes requests. */
  const start = async (env: Record<string, string>) => {
    replica = await startFunctionProcess('crud', {
      MONGODB_URI: testDatabaseUri(),
      MONGODB_DB: replicas.database.name,
      TMPDIR: tmp,
      // the cron-connector's job in production; here, the survivor's sweep below
      SWEEP_INTERVAL_SECONDS: '0',
      ...env,
    });
    return replica;
  };

  it('finishes what it accepted: an upload under way and a ?wait=true call both answer, and its jobs go to another replica', async () => {
    const draining = await start(DRAIN_TEST_ENV);
    const { waiting, arriving, another } = await underWay(draining.url, replicas.database);

    const exited = exitOf(draining.child);
    const signalled = Date.now();
    draining.child.kill('SIGTERM');
    await untilDraining(draining.url);

    const refused = await another();
    expect(refused.status, 'a new upload is sent elsewhere').to.equal(503);
    expect(refused.body.error.code).to.equal('shutting_down');
    expect(refused.headers['retry-after']).to.equal('2');
    const health = await supertest(draining.url).get('/healthz');
    expect([health.status, health.body.error.code], 'out of the rotation').to.deep.equal([503, 'shutting_down']);
    expect((await supertest(draining.url).get('/tracks')).status, 'reads go on meanwhile').to.equal(200);

    const waited = await waiting;
    expect(waited.status, 'answered before the replica went: processing, for the client to poll').to.equal(202);
    expect((waited.body as Track).status).to.equal('processing');
    const received = await arriving;
    expect(received.status, 'the upload under way was received whole and accepted').to.equal(202);

    const { code, at } = await exited;
    expect(code).to.equal(0);
    expect(at - signalled, 'it took requests for as long as the watchdog passes them on').to.be.at.least(2000);
    expect(at - signalled, 'and left within its grace period').to.be.below(10_000);
    expect(await leftIn(tmp), 'nothing left in its temp dir').to.deep.equal([]);

    await expectHandedBack(replicas.database);
    const survivor = await replicas.replica();
    expect((await survivor.crud.sweeper.sweep()).resumed, 'all resumed at once, their leases handed back').to.equal(3);
    const long = await fixture('longWav');
    const holding = await replicas.database.tracks.findOne({ 'source.filename': 'holding.wav' });
    for (const [id, durationSec] of [
      [holding!._id, long.durationSec],
      [waited.body.id, long.durationSec],
      [received.body.id, (await fixture('plainWav')).durationSec],
    ] as const) {
      await survivor.crud.processor.whenSettled(id);
      await expectReadyWithCompleteRenditions(survivor, id, durationSec);
    }
  });

  it('drains the same when a second SIGTERM follows the first, as faasd and the watchdog both send one', async () => {
    const draining = await start({ healthcheck_interval: '2s', SHUTDOWN_GRACE_SECONDS: '10' });
    const exited = exitOf(draining.child);
    const signalled = Date.now();
    draining.child.kill('SIGTERM');
    await sleep(50);
    draining.child.kill('SIGTERM');
    await sleep(200);
    expect((await supertest(draining.url).get('/tracks')).status, 'still answering').to.equal(200);
    const { code, at } = await exited;
    expect(code).to.equal(0);
    expect(at - signalled).to.be.at.least(2000);
  });

  it('refuses an upload still arriving as its grace period ends, with 503 and Retry-After, and keeps nothing of it', async () => {
    const draining = await start({ healthcheck_interval: '1s', SHUTDOWN_GRACE_SECONDS: '4', MIN_UPLOAD_BYTES_PER_SECOND: '0' });
    const wav = await readFile((await fixture('plainWav')).path);
    const arriving = dripUpload(Number(new URL(draining.url).port), piecesOf(wav, 100), { gapMs: 200, declaredBytes: wav.length });
    await sleep(500);
    const exited = exitOf(draining.child);
    const signalled = Date.now();
    draining.child.kill('SIGTERM');

    const refused = await arriving;
    expect(refused.status).to.equal(503);
    expect(refused.body.error.code).to.equal('shutting_down');
    expect(refused.headers['retry-after']).to.equal('2');
    const { code, at } = await exited;
    expect(code).to.equal(0);
    expect(at - signalled).to.be.below(4500);
    expect(await leftIn(tmp)).to.deep.equal([]);
    const { database } = replicas;
    const stored = await Promise.all([database.tracks, database.originalFiles, database.originalChunks, database.removals].map((collection) => collection.countDocuments()));
    expect(stored, 'no track, original or removal note').to.deep.equal([0, 0, 0, 0]);
  });
});

describe('a replica whose database does not answer yet', function () {
  this.timeout(120_000);
  let dir: string;
  let replica: FunctionProcess | undefined;
  let link: TcpLink | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'segue-starting-'));
  });
  afterEach(async () => {
    replica?.child.kill('SIGKILL');
    await link?.close();
    replica = undefined;
    link = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  for (const name of ['crud', 'stream'] as const) {
    it(`${name}: answers 503 with Retry-After and writes no lock file for the watchdog until it does, then takes traffic`, async () => {
      // the database's address answers nothing until the link opens
      const port = await freePort();
      const database = new URL(testDatabaseUri());
      link = await tcpLink(port, { host: database.hostname, port: Number(database.port) }, { open: false });
      const lockFile = join(dir, '.lock');
      // one left from an earlier run in the same /tmp
      await writeFile(lockFile, '');
      replica = await startFunctionProcess(name, {
        MONGODB_URI: `mongodb://127.0.0.1:${port}/?directConnection=true`,
        MONGODB_DB: 'segue_starting',
        READY_LOCK_FILE: lockFile,
      }, { untilReady: false });
      const early = await supertest(replica.url).get('/healthz');
      expect(early.status).to.equal(503);
      expect(early.body.error.code).to.equal('database_unavailable');
      expect(early.headers['retry-after']).to.equal('5');
      const read = await supertest(replica.url).get(name === 'crud' ? '/tracks' : '/tracks/abcdefghijkl/master.m3u8');
      expect(read.status, 'every request, not only the health check').to.equal(503);
      expect(existsSync(lockFile), 'no lock file: /_/health answers 503, so the probe sends no traffic').to.equal(false);

      link.open();
      await waitForStatus(`${replica.url}/healthz`, 200);
      expect(existsSync(lockFile), 'the lock file is back: ready').to.equal(true);

      const exited = exitOf(replica.child);
      replica.child.kill('SIGTERM');
      await until(async () => !existsSync(lockFile), 'the lock file goes at SIGTERM', 5000);
      expect((await exited).code).to.equal(0);
    });
  }

  it('stops at SIGTERM while it is still waiting for its database, and exits 0', async () => {
    replica = await startFunctionProcess('crud', { MONGODB_URI: `mongodb://127.0.0.1:${await freePort()}/?directConnection=true` }, { untilReady: false });
    expect((await supertest(replica.url).get('/healthz')).status).to.equal(503);
    const exited = exitOf(replica.child);
    const signalled = Date.now();
    replica.child.kill('SIGTERM');
    const { code, at } = await exited;
    expect(code).to.equal(0);
    expect(at - signalled, 'nothing to drain').to.be.below(3000);
  });
});
