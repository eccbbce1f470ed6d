import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import type { Track } from '../../../functions/core/schemas/track.js';
import { TrackStore } from '../../../functions/shared/storage/track-store.js';
import {
  type CrudHarness,
  cutDeletionShort,
  expectNothingStored,
  expectReadyWithCompleteRenditions,
  startCrud,
  storedCounts,
  uploadTrack,
} from '../../support/crud.js';
import { fixture } from '../../support/fixtures.js';

const upload = uploadTrack;

describe('the tracks API', function () {
  this.timeout(120_000);
  let harness: CrudHarness;

  beforeEach(async () => {
    harness = await startCrud();
  });
  afterEach(() => harness.close());

  describe('POST /tracks without wait', () => {
    it('answers 202 with a processing track and its Location, then the track becomes ready', async () => {
      const file = await fixture('taggedMp3');
      const response = await harness.http.post('/tracks').attach('file', file.path, file.filename);
      expect(response.status).to.equal(202);
      expect(response.body).to.include({ status: 'processing', progress: 0, title: 'Night Drive' });
      expect(response.body.durationSec).to.be.closeTo(14, 0.1);
      expect(response.headers.location).to.equal(`tracks/${response.body.id}`);

      const progress: number[] = [];
      let track: Track = response.body;
      while (track.status === 'processing') {
        await sleep(100);
        track = (await harness.http.get(`/${response.headers.location}`)).body;
        progress.push(track.progress);
      }
      expect(track.status).to.equal('ready');
      expect(progress, 'progress never goes back').to.deep.equal([...progress].sort((a, b) => a - b));
      expect(progress.at(-1)).to.equal(1);
    });

    it('takes a raw body named by a percent-encoded X-Filename', async () => {
      const file = await fixture('plainWav');
      const { readFile } = await import('node:fs/promises');
      const response = await harness.http
        .post('/tracks?wait=true')
        .set('Content-Type', 'audio/wav')
        .set('X-Filename', encodeURIComponent('Café del Mar.wav'))
        .send(await readFile(file.path));
      expect(response.status).to.equal(201);
      expect(response.body).to.include({ title: 'Café del Mar', status: 'ready' });
      expect(response.body.source.filename).to.equal('Café del Mar.wav');
    });

    it('lets form fields override the file tags', async () => {
      const file = await fixture('taggedMp3');
      const response = await harness.http
        .post('/tracks?wait=true')
        .field('title', 'My Title')
        .field('artist', 'Me')
        .attach('file', file.path, file.filename);
      expect(response.body).to.include({ title: 'My Title', artist: 'Me', album: 'Test Pressings' });
    });

    it('accepts a matching X-Content-SHA256', async () => {
      const file = await fixture('oneSecondWav');
      const { sha256Of } = await import('../../support/media.js');
      const response = await harness.http
        .post('/tracks?wait=true')
        .set('X-Content-SHA256', (await sha256Of(file.path)).toUpperCase())
        .attach('file', file.path, file.filename);
      expect(response.status).to.equal(201);
    });
  });

  describe('GET /tracks', () => {
    it('pages through every track newest first, without repeats', async () => {
      const created: string[] = [];
      for (let index = 0; index < 5; index++) created.push((await upload(harness, { title: `Song ${index}` })).id);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const response = await harness.http.get('/tracks').query({ limit: 2, ...(cursor ? { cursor } : {}) });
        expect(response.status).to.equal(200);
        expect(response.body.data).to.have.length.at.most(2);
        seen.push(...response.body.data.map((track: Track) => track.id));
        cursor = response.body.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).to.equal(3);
      expect(seen).to.deep.equal([...created].reverse());
    });

    it('finds tracks by title, artist or album, ignoring case and regex characters', async () => {
      await upload(harness, { title: 'Blue Monday', artist: 'New Order' });
      await upload(harness, { title: 'Other', artist: 'Someone', album: 'Blue (Remastered)' });
      await upload(harness, { title: 'Unrelated' });
      const titles = async (q: string) =>
        (await harness.http.get('/tracks').query({ q })).body.data.map((track: Track) => track.title).sort();
      expect(await titles('blue')).to.deep.equal(['Blue Monday', 'Other']);
      expect(await titles('NEW ORDER')).to.deep.equal(['Blue Monday']);
      expect(await titles('(remastered)')).to.deep.equal(['Other']);
      expect(await titles('.*')).to.deep.equal([]);
    });

    it('answers 400 for a bad limit or a cursor it never gave out', async () => {
      const badLimit = await harness.http.get('/tracks').query({ limit: 1000 });
      expect(badLimit.status).to.equal(400);
      expect(badLimit.body.error.details.fields).to.have.property('limit');
      const badCursor = await harness.http.get('/tracks').query({ cursor: 'nope' });
      expect(badCursor.status).to.equal(400);
      expect(badCursor.body.error.details.fields).to.have.property('cursor');
    });
  });

  describe('GET, PATCH and DELETE /tracks/:id', () => {
    it('answers 404 not_found for an unknown id, on every method', async () => {
      for (const method of ['get', 'patch', 'delete'] as const) {
        const response = await harness.http[method]('/tracks/AAAAAAAAAAAA').send({ title: 'x' });
        expect(response.status, method).to.equal(404);
        expect(response.body.error.code).to.equal('not_found');
      }
    });

    it('answers 400 for a malformed id, on every method', async () => {
      for (const method of ['get', 'patch', 'delete'] as const) {
        const response = await harness.http[method]('/tracks/not-an-id!').send({ title: 'x' });
        expect(response.status, method).to.equal(400);
        expect(response.body.error.code).to.equal('validation_failed');
        expect(response.body.error.details.fields).to.have.property('id');
      }
    });

    it('changes tags with PATCH, and clears one with null', async () => {
      const track = await upload(harness, { title: 'Before', artist: 'Someone' });
      const response = await harness.http.patch(`/tracks/${track.id}`).send({ title: 'After', artist: null, year: 1999 });
      expect(response.status).to.equal(200);
      expect(response.body).to.include({ title: 'After', artist: null, year: 1999 });
      expect((await harness.http.get(`/tracks/${track.id}`)).body).to.include({ title: 'After', year: 1999 });
    });

    it('answers 400 for a PATCH with unknown or invalid fields, naming each', async () => {
      const track = await upload(harness);
      const response = await harness.http.patch(`/tracks/${track.id}`).send({ status: 'ready', year: 'soon', title: '' });
      expect(response.status).to.equal(400);
      expect(response.body.error.details.fields).to.have.all.keys('status', 'year', 'title');
      expect((await harness.http.get(`/tracks/${track.id}`)).body.title).to.equal(track.title);
    });

    it('answers 400 for an empty PATCH and 415 for one that is not JSON', async () => {
      const track = await upload(harness);
      expect((await harness.http.patch(`/tracks/${track.id}`).send({})).status).to.equal(400);
      const notJson = await harness.http.patch(`/tracks/${track.id}`).set('Content-Type', 'text/plain').send('title=x');
      expect(notJson.status).to.equal(415);
      const brokenJson = await harness.http.patch(`/tracks/${track.id}`).set('Content-Type', 'application/json').send('{"title":');
      expect(brokenJson.status).to.equal(400);
      expect(brokenJson.body.error.code).to.equal('invalid_json');
    });

    it('deletes a track with its segments, original and cover', async () => {
      const file = await fixture('taggedMp3');
      const track = (await harness.http.post('/tracks?wait=true').attach('file', file.path, file.filename)).body as Track;
      const before = await storedCounts(harness);
      expect(before).to.include({ tracks: 1, covers: 1, originals: 1 });
      expect(before.segments).to.be.above(6);

      const response = await harness.http.delete(`/tracks/${track.id}`);
      expect(response.status).to.equal(204);
      await expectNothingStored(harness);
      expect((await harness.http.get(`/tracks/${track.id}`)).status).to.equal(404);
    });

    it('deletes a track that is still processing, and its job leaves nothing behind', async () => {
      const file = await fixture('longWav');
      const created = await harness.http.post('/tracks').attach('file', file.path, file.filename);
      expect(created.status).to.equal(202);
      expect((await harness.http.delete(`/tracks/${created.body.id}`)).status).to.equal(204);
      await harness.crud.processor.whenSettled(created.body.id);
      await expectNothingStored(harness);
    });
  });

  describe('POST /tracks/:id/reprocess', () => {
    it('processes a failed track again from its original, to ready', async () => {
      const file = await fixture('taggedMp3');
      const track = (await harness.http.post('/tracks?wait=true').attach('file', file.path, file.filename)).body as Track;
      // failed the way the sweeper fails a track it gave up on: lease taken, segments removed
      await harness.database.tracks.updateOne({ _id: track.id }, { $set: { status: 'processing', lease: { owner: 'gone', until: new Date(0), attempts: 3 } } });
      await harness.database.segments.deleteMany({ trackId: track.id });
      expect(await new TrackStore(harness.database.tracks).markFailed(track.id, null, { code: 'too_many_attempts', message: 'gave up' })).to.not.equal(null);

      const response = await harness.http.post(`/tracks/${track.id}/reprocess`);
      expect(response.status).to.equal(202);
      expect(response.body).to.include({ status: 'processing', progress: 0, error: null });
      await harness.crud.processor.whenSettled(track.id);
      await expectReadyWithCompleteRenditions(harness, track.id, file.durationSec);
    });

    it('answers 409 track_not_failed for a track that did not fail, and 404 for none', async () => {
      const file = await fixture('oneSecondWav');
      const track = (await harness.http.post('/tracks?wait=true').attach('file', file.path, file.filename)).body as Track;
      const ready = await harness.http.post(`/tracks/${track.id}/reprocess`);
      expect(ready.status).to.equal(409);
      expect(ready.body.error).to.deep.include({ code: 'track_not_failed', details: { status: 'ready' } });
      expect((await harness.http.post('/tracks/AAAAAAAAAAAA/reprocess')).status).to.equal(404);
    });
  });

  describe('DELETE /tracks/:id after a deletion was cut short', () => {
    it('finishes the removal and answers 204, where the track alone is already gone', async () => {
      const file = await fixture('taggedMp3');
      const track = (await harness.http.post('/tracks?wait=true').attach('file', file.path, file.filename)).body as Track;
      await cutDeletionShort(harness, track);

      expect((await harness.http.delete(`/tracks/${track.id}`)).status).to.equal(204);
      await expectNothingStored(harness);
      expect((await harness.http.delete(`/tracks/${track.id}`)).status, 'once finished, there is nothing').to.equal(404);
    });
  });

  describe('GET /healthz and unknown routes', () => {
    it('answers 200 once the database answers', async () => {
      const response = await harness.http.get('/healthz');
      expect(response.status).to.equal(200);
      expect(response.body).to.deep.equal({ status: 'ok' });
    });

    it('answers 405 with Allow for a method a path does not take', async () => {
      for (const [method, path, allow] of [
        ['put', '/tracks', 'GET, HEAD, POST, OPTIONS'],
        ['trace', '/healthz', 'GET, HEAD, OPTIONS'],
        ['post', '/tracks/AAAAAAAAAAAA', 'GET, HEAD, PATCH, DELETE, OPTIONS'],
      ] as const) {
        const response = await harness.http[method](path);
        expect(response.status, `${method} ${path}`).to.equal(405);
        expect(response.headers.allow).to.equal(allow);
        if (method !== 'trace') expect(response.body.error.code).to.equal('method_not_allowed');
      }
    });

    it('answers a JSON 404 for a route that does not exist', async () => {
      const response = await harness.http.get('/nothing/here');
      expect(response.status).to.equal(404);
      expect(response.body.error.code).to.equal('not_found');
    });
  });
});
