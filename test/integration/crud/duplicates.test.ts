import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { acceptOnce } from '../../../functions/crud/receive/accept-once.js';
import { CLAIM_RENEWAL_MS, findDuplicate, STALE_CLAIM_MS } from '../../../functions/crud/receive/find-duplicate.js';
import { DUPLICATE_HEADER } from '../../../functions/core/endpoints.js';
import { HttpError } from '../../../functions/shared/http/http-error.js';
import { UploadRefused } from '../../../functions/crud/receive/upload-refused.js';
import { createLogger } from '../../../functions/shared/logger.js';
import { createRegistry, type Registry } from '../../../functions/shared/metrics/registry.js';
import type { Track } from '../../../functions/core/schemas/track.js';
import { FingerprintStore } from '../../../functions/shared/storage/fingerprint-store.js';
import { ORIGINAL_CHUNK_BYTES } from '../../../functions/shared/storage/original-store.js';
import { TrackStore } from '../../../functions/shared/storage/track-store.js';
import {
  type CrudHarness,
  cutDeletionShort,
  expectNothingStored,
  expectReadyWithCompleteRenditions,
  startCrud,
  storedCounts,
} from '../../support/crud.js';
import { type TestDatabase, testDatabaseUri } from '../../support/database.js';
import { distinctCopy, type Fixture, fixture } from '../../support/fixtures.js';
import { killReplicasUnderTrack } from '../../support/dying-replicas.js';
import { sha256Of } from '../../support/media.js';

/** supertest's headers are lower case */
const DUPLICATE = DUPLICATE_HEADER.toLowerCase();
const NO_SUCH_TRACK = 'AAAAAAAAAAAA';

const upload = (harness: CrudHarness, file: Fixture, query = '') => harness.http.post(`/tracks${query}`).attach('file', file.path, file.filename);

/** The segment documents of a track's whole ladder, init segments included. */
const ladderSize = (track: Track) => track.renditions.reduce((sum, rendition) => sum + rendition.segmentCount + 1, 0);

describe('uploading a file the library already holds', function () {
  this.timeout(180_000);
  const harnesses: CrudHarness[] = [];
  const crud = async (env: Record<string, string> = {}, database?: TestDatabase, registry?: Registry) => {
    const harness = await startCrud(env, database, undefined, registry);
    harnesses.push(harness);
    return harness;
  };
  afterEach(async () => {
    // replicas on a database of another go first, leaving it to drop it
    for (const harness of harnesses.splice(0).reverse()) await harness.close();
  });

  it('answers with the track that holds it: 200, its Location and Segue-Duplicate-Of, and stores nothing new', async () => {
    const registry = createRegistry();
    const harness = await crud({}, undefined, registry);
    const file = await distinctCopy('plainWav');
    const first = await upload(harness, file, '?wait=true');
    expect(first.status).to.equal(201);
    expect(first.headers[DUPLICATE], 'a new track is no duplicate').to.equal(undefined);
    const stored = await storedCounts(harness);
    expect(stored).to.deep.include({ tracks: 1, originals: 1, fingerprints: 1, removals: 0, tempEntries: 0 });
    expect(stored.originalChunks).to.equal(Math.ceil(first.body.source.bytes / ORIGINAL_CHUNK_BYTES));
    expect(stored.segments).to.equal(ladderSize(first.body));

    const again = await harness.http.post('/tracks').field('title', 'Another Title').attach('file', file.path, 'another name.wav');
    expect(again.status).to.equal(200);
    expect(again.headers.location).to.equal(`tracks/${first.body.id}`);
    expect(again.headers[DUPLICATE]).to.equal(first.body.id);
    expect(again.body, 'the track as it was: the form and the name change nothing').to.deep.equal(first.body);

    const raw = await harness.http
      .post('/tracks?wait=true')
      .set('Content-Type', 'audio/wav')
      .set('X-Filename', 'raw.wav')
      .send(await readFile(file.path));
    expect([raw.status, raw.headers[DUPLICATE], raw.body.id]).to.deep.equal([200, first.body.id, first.body.id]);

    expect(await storedCounts(harness), 'no track, original, segment, fingerprint or temp file more').to.deep.equal(stored);
    const uploads = await registry.getSingleMetric('segue_uploads_total')!.get();
    const counted = Object.fromEntries(uploads.values.map(({ labels, value }) => [labels.outcome, value]));
    expect(counted).to.include({ accepted: 1, duplicate: 2 });
  });

  it('answers a duplicate of a track still processing with the track as it is, or with ?wait=true once it is ready', async () => {
    const harness = await crud();
    const file = await distinctCopy('plainWav');
    const first = await upload(harness, file);
    expect([first.status, first.body.status]).to.deep.equal([202, 'processing']);
    // both while the first is processed: one is answered at once, the other once the job has ended
    const [now, waited] = await Promise.all([upload(harness, file), upload(harness, file, '?wait=true')]);
    expect([now.status, now.headers[DUPLICATE], now.body.status]).to.deep.equal([200, first.body.id, 'processing']);
    expect([waited.status, waited.headers[DUPLICATE], waited.body.status]).to.deep.equal([200, first.body.id, 'ready']);
    await expectReadyWithCompleteRenditions(harness, first.body.id, file.durationSec);
    expect(await storedCounts(harness)).to.deep.include({ tracks: 1, originals: 1, fingerprints: 1, tempEntries: 0 });
  });

  it('makes one track of identical uploads sent at once to two replicas: one original, one ladder', async () => {
    const harness = await crud();
    const other = await crud({}, harness.database);
    const file = await distinctCopy('oneSecondWav');
    const answers = await Promise.all([harness, other, harness].map((replica) => upload(replica, file)));
    expect(answers.map((answer) => answer.status).sort()).to.deep.equal([200, 200, 202]);
    const id = answers.find((answer) => answer.status === 202)!.body.id as string;
    for (const answer of answers) expect(answer.body.id).to.equal(id);
    for (const answer of answers.filter(({ status }) => status === 200)) expect(answer.headers[DUPLICATE]).to.equal(id);

    for (const replica of [harness, other]) await replica.crud.processor.whenSettled(id);
    await expectReadyWithCompleteRenditions(harness, id, file.durationSec);
    const track = (await harness.http.get(`/tracks/${id}`)).body as Track;
    expect(await storedCounts(harness)).to.deep.include({
      tracks: 1,
      originals: 1,
      originalChunks: Math.ceil(track.source.bytes / ORIGINAL_CHUNK_BYTES),
      segments: ladderSize(track),
      fingerprints: 1,
      tempEntries: 0,
    });
    expect((await storedCounts(other)).tempEntries).to.equal(0);
  });

  it('processes a failed track again from its original when its file comes again, answering 202 marked as a duplicate', async () => {
    // the replicas processing it die three times, and the sweeper gives up on it: a failure that passes
    const harness = await crud({ LEASE_SECONDS: '2', SWEEP_INTERVAL_SECONDS: '0' });
    const scratch = await mkdtemp(join(tmpdir(), 'segue-dying-replicas-'));
    const env = { MONGODB_URI: testDatabaseUri(), MONGODB_DB: harness.database.name, SWEEP_INTERVAL_SECONDS: '0', LEASE_SECONDS: '2', TMPDIR: scratch };
    const file = await distinctCopy('plainWav');
    try {
      const id = await killReplicasUnderTrack(env, file);
      expect((await harness.crud.sweeper.sweep()).failed).to.equal(1);
      expect((await harness.http.get(`/tracks/${id}`)).body).to.deep.include({ status: 'failed', error: { code: 'too_many_attempts', message: 'Processing was interrupted 3 times; giving up' } });

      const again = await upload(harness, file);
      expect([again.status, again.headers[DUPLICATE], again.headers.location]).to.deep.equal([202, id, `tracks/${id}`]);
      expect(again.body).to.deep.include({ id, status: 'processing', progress: 0, error: null });
      await harness.crud.processor.whenSettled(id);
      await expectReadyWithCompleteRenditions(harness, id, file.durationSec);
      expect(await storedCounts(harness)).to.deep.include({ tracks: 1, originals: 1, fingerprints: 1, tempEntries: 0 });
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });

  it('lets the file go with its track: uploaded after a DELETE, or after a deletion the sweeper finished, it makes a new track', async () => {
    const harness = await crud();
    const file = await distinctCopy('oneSecondWav');
    const first = await upload(harness, file, '?wait=true');
    expect((await harness.http.delete(`/tracks/${first.body.id}`)).status).to.equal(204);
    await expectNothingStored(harness);

    const second = await upload(harness, file, '?wait=true');
    expect(second.status).to.equal(201);
    expect(second.body.id).to.not.equal(first.body.id);
    expect(second.headers[DUPLICATE]).to.equal(undefined);

    await cutDeletionShort(harness, second.body);
    expect((await storedCounts(harness)).fingerprints, 'still held while the deletion is unfinished').to.equal(1);
    expect((await harness.http.post('/sweep')).body).to.include({ cleanedUp: 1 });
    await expectNothingStored(harness);
    const third = await upload(harness, file, '?wait=true');
    expect([third.status, third.headers[DUPLICATE]]).to.deep.equal([201, undefined]);
  });

  it('answers a file whose whole decode refused it with its failed track, processing nothing again', async () => {
    const harness = await crud();
    // as it is: a copy made by ffmpeg would get headers that match its length
    const file = await fixture('truncatedMp3');
    const first = await upload(harness, file);
    expect(first.status).to.equal(202);
    await harness.crud.processor.whenSettled(first.body.id);
    expect((await harness.http.get(`/tracks/${first.body.id}`)).body.error.code).to.equal('truncated_audio');

    const again = await upload(harness, file);
    expect([again.status, again.headers[DUPLICATE], again.body.status]).to.deep.equal([200, first.body.id, 'failed']);
    expect(harness.crud.processor.isRunning(first.body.id), 'the same bytes would be refused again').to.equal(false);
    expect(again.body.error.code).to.equal('truncated_audio');
  });

  it('keeps no fingerprint of a refused upload, so the same file is refused again for what it is', async () => {
    const harness = await crud();
    for (const [name, status] of [['textAsMp3', 415], ['truncatedMp3', 422]] as const) {
      const file = await fixture(name);
      for (const attempt of ['first', 'second']) {
        // waiting, so a refusal found by decoding the whole file is the answer too
        const response = await upload(harness, file, '?wait=true');
        expect(response.status, `${name}, ${attempt} time`).to.equal(status);
        expect(response.headers[DUPLICATE]).to.equal(undefined);
      }
    }
    await expectNothingStored(harness);
  });

  it('takes over a claim nobody has confirmed for longer than the bound and whose track does not exist', async () => {
    const harness = await crud();
    const file = await distinctCopy('oneSecondWav');
    const sha256 = await sha256Of(file.path);
    await harness.database.fingerprints.insertOne({ _id: sha256, trackId: NO_SUCH_TRACK, claimedAt: new Date(Date.now() - STALE_CLAIM_MS - 1000) });
    const response = await upload(harness, file, '?wait=true');
    expect([response.status, response.headers[DUPLICATE]]).to.deep.equal([201, undefined]);
    expect(await harness.database.fingerprints.findOne({ _id: sha256 })).to.include({ trackId: response.body.id });
  });

  it('waits while an identical upload holds a fresh claim, and claims the file itself once that upload lets it go', async () => {
    const harness = await crud();
    const file = await distinctCopy('oneSecondWav');
    const sha256 = await sha256Of(file.path);
    await new FingerprintStore(harness.database.fingerprints).claim(sha256, NO_SUCH_TRACK);
    const answer = upload(harness, file, '?wait=true').then((response) => response);
    await sleep(1500);
    expect(await storedCounts(harness), 'waiting, it has stored nothing').to.deep.include({ tracks: 0, originals: 0 });
    await new FingerprintStore(harness.database.fingerprints).release(sha256, NO_SUCH_TRACK);
    const response = await answer;
    expect([response.status, response.headers[DUPLICATE]]).to.deep.equal([201, undefined]);
    expect(await harness.database.fingerprints.findOne({ _id: sha256 })).to.include({ trackId: response.body.id });
  });
});

describe('a claim on a file’s bytes, held by an upload that is still making its track', function () {
  this.timeout(60_000);
  let harness: CrudHarness;
  let deps: { fingerprints: FingerprintStore; tracks: TrackStore };
  const sha256 = 'f'.repeat(64);
  /** the track an upload claims the bytes for */
  const CLAIMANT = 'CLAIMANT0000';

  beforeEach(async () => {
    harness = await startCrud();
    deps = { fingerprints: new FingerprintStore(harness.database.fingerprints), tracks: new TrackStore(harness.database.tracks) };
  });
  afterEach(() => harness.close());

  it('is never taken over while its upload keeps confirming it, and the wait ends in 409 upload_in_progress', async () => {
    await deps.fingerprints.claim(sha256, NO_SUCH_TRACK);
    const confirming = setInterval(() => void deps.fingerprints.renew(sha256, NO_SUCH_TRACK), 50);
    try {
      const error = await findDuplicate(deps, sha256, CLAIMANT, { staleMs: 400, waitMs: 1500 }).catch((caught: unknown) => caught);
      expect(error).to.be.instanceOf(UploadRefused).and.include({ code: 'upload_in_progress' });
      expect(HttpError.of(error as UploadRefused).status).to.equal(409);
    } finally {
      clearInterval(confirming);
    }
    expect(await deps.fingerprints.get(sha256)).to.include({ trackId: NO_SUCH_TRACK });
  });

  it('is confirmed every few seconds while its upload makes the track, and let go when the upload is refused', async () => {
    const confirmations: Date[] = [];
    const refused = new HttpError('unsupported_media_type', 'not audio');
    const upload = { path: '', filename: 'song.wav', bytes: 1, sha256, fields: {}, dispose: async () => {} };
    const acceptDeps = { ...deps, processor: harness.crud.processor, owner: 'test', config: { ...harness.config, leaseMs: 30_000, maxQueuedJobs: 1 }, logger: createLogger('silent', 'test') };
    const outcome = await acceptOnce(acceptDeps, upload, CLAIMANT, async () => {
      for (let check = 0; check < 3; check++) {
        if (check > 0) await sleep(CLAIM_RENEWAL_MS + 500);
        const held = (await deps.fingerprints.get(sha256))!;
        expect(held.trackId).to.equal(CLAIMANT);
        confirmations.push(held.claimedAt);
      }
      throw refused;
    }).catch((caught: unknown) => caught);
    expect(outcome).to.equal(refused);
    expect(confirmations[1]!.getTime()).to.be.above(confirmations[0]!.getTime());
    expect(confirmations[2]!.getTime()).to.be.above(confirmations[1]!.getTime());
    expect(await deps.fingerprints.get(sha256), 'let go with the refused upload').to.equal(null);
  });

  it('is taken over once its upload stops confirming it', async () => {
    await deps.fingerprints.claim(sha256, NO_SUCH_TRACK);
    const started = Date.now();
    const claim = await findDuplicate(deps, sha256, CLAIMANT, { staleMs: 400, waitMs: 5000 });
    expect(claim.kind).to.equal('claimed');
    expect(Date.now() - started, 'not before it went stale').to.be.at.least(400);
    expect(await deps.fingerprints.get(sha256)).to.include({ trackId: claim.kind === 'claimed' ? claim.trackId : null });
  });
});
