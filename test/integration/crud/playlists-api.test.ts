import { expect } from 'chai';
import { newTrackId } from '../../../functions/shared/ids.js';
import type { Playlist, PlaylistSummary } from '../../../functions/core/schemas/playlist.js';
import type { Track } from '../../../functions/core/schemas/track.js';
import { type CrudHarness, cutDeletionShort, startCrud, uploadTrack } from '../../support/crud.js';
import { newestFirst } from '../../support/newest-first.js';
import { readyTrack } from '../../support/track-documents.js';

const KEY = 'playlist-key-0123456789abcdef0123456789';
const DAY_MS = 24 * 60 * 60 * 1000;

describe('the playlists API', function () {
  this.timeout(120_000);
  let harness: CrudHarness;

  beforeEach(async () => {
    harness = await startCrud();
  });
  afterEach(() => harness.close());

  const create = async (body: Record<string, unknown>): Promise<Playlist> => {
    const response = await harness.http.post('/playlists').send(body);
    expect(response.status, JSON.stringify(response.body)).to.equal(201);
    return response.body as Playlist;
  };
  const read = async (id: string): Promise<Playlist> => {
    const response = await harness.http.get(`/playlists/${id}`);
    expect(response.status, JSON.stringify(response.body)).to.equal(200);
    return response.body as Playlist;
  };
  /** Tracks that exist without audio: for the checks that only need ids of real tracks. */
  const storedTracks = async (count: number): Promise<string[]> => {
    const tracks = Array.from({ length: count }, () => readyTrack(newTrackId()));
    await harness.database.tracks.insertMany(tracks);
    return tracks.map((track) => track._id);
  };
  const expectError = (response: { status: number; body: any }, status: number, code: string) => {
    expect(response.status, JSON.stringify(response.body)).to.equal(status);
    expect(response.body.error.code).to.equal(code);
  };

  describe('a life cycle', () => {
    it('creates, reads with whole tracks, renames, adds at a position, removes, reorders and deletes', async () => {
      const [a, b, c, d] = [await uploadTrack(harness), await uploadTrack(harness), await uploadTrack(harness), await uploadTrack(harness)];

      const response = await harness.http.post('/playlists').send({ name: '  Road trip  ', trackIds: [a!.id, b!.id] });
      expect(response.status).to.equal(201);
      const created = response.body as Playlist;
      expect(created.id).to.match(/^[0-9A-Za-z]{12}$/);
      expect(response.headers.location).to.equal(`playlists/${created.id}`);
      expect(created).to.include({ name: 'Road trip', description: '' });
      expect(created.trackIds).to.deep.equal([a!.id, b!.id]);

      const shown = await read(created.id);
      expect(shown.tracks, 'the tracks as GET /tracks/{id} answers them').to.deep.equal([
        (await harness.http.get(`/tracks/${a!.id}`)).body,
        (await harness.http.get(`/tracks/${b!.id}`)).body,
      ]);

      const renamed = await harness.http.patch(`/playlists/${created.id}`).send({ name: 'Night drive', description: 'For the\nlong way home' });
      expect(renamed.status).to.equal(200);
      expect(renamed.body).to.include({ name: 'Night drive', description: 'For the\nlong way home' });
      expect(Date.parse(renamed.body.updatedAt)).to.be.at.least(Date.parse(created.updatedAt));

      const added = await harness.http.post(`/playlists/${created.id}/tracks`).send({ trackIds: [c!.id, d!.id], position: 1 });
      expect(added.status).to.equal(200);
      expect(added.body.trackIds).to.deep.equal([a!.id, c!.id, d!.id, b!.id]);
      const appended = await harness.http.post(`/playlists/${created.id}/tracks`).send({ trackIds: [(await uploadTrack(harness)).id] });
      expect(appended.body.trackIds.slice(0, 4), 'without a position, at the end').to.deep.equal([a!.id, c!.id, d!.id, b!.id]);
      const last = appended.body.trackIds[4] as string;

      expect((await harness.http.delete(`/playlists/${created.id}/tracks/${c!.id}`)).status).to.equal(204);
      expect((await read(created.id)).trackIds).to.deep.equal([a!.id, d!.id, b!.id, last]);
      expect((await harness.http.get(`/tracks/${c!.id}`)).status, 'the track stays in the library').to.equal(200);

      const reordered = await harness.http.patch(`/playlists/${created.id}`).send({ trackIds: [last, b!.id, a!.id, d!.id] });
      expect(reordered.status).to.equal(200);
      expect(reordered.body.tracks.map((track: Track) => track.id)).to.deep.equal([last, b!.id, a!.id, d!.id]);
      expect((await read(created.id)).name, 'a reorder leaves the rest').to.equal('Night drive');

      expect((await harness.http.delete(`/playlists/${created.id}`)).status).to.equal(204);
      expectError(await harness.http.get(`/playlists/${created.id}`), 404, 'not_found');
      expect(await harness.database.tracks.countDocuments(), 'deleting a playlist keeps its tracks').to.equal(5);
    });

    it('pages through every playlist newest first with a cursor, each with its track count', async () => {
      const [track] = await storedTracks(1);
      const made: string[] = [];
      for (let index = 0; index < 5; index++) made.push((await create({ name: `List ${index}`, trackIds: index === 4 ? [track] : [] })).id);
      const seen: PlaylistSummary[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const response = await harness.http.get('/playlists').query({ limit: 2, ...(cursor ? { cursor } : {}) });
        expect(response.status).to.equal(200);
        expect(response.body.data).to.have.length.at.most(2);
        seen.push(...response.body.data);
        cursor = response.body.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).to.equal(3);
      expect(seen.map((playlist) => playlist.id)).to.have.members(made);
      expect(seen, 'newest first, by id within a millisecond').to.deep.equal(newestFirst(seen));
      const withTrack = seen.find((playlist) => playlist.name === 'List 4');
      expect(withTrack).to.include({ trackCount: 1 }).and.not.have.any.keys('tracks', 'trackIds');
      expect(seen.filter((playlist) => playlist.trackCount === 0)).to.have.length(4);
    });
  });

  describe('changes at once', () => {
    it('keeps every one of many additions sent at the same time', async () => {
      const ids = await storedTracks(20);
      const playlist = await create({ name: 'Crowded' });
      const answers = await Promise.all(ids.map((id) => harness.http.post(`/playlists/${playlist.id}/tracks`).send({ trackIds: [id] })));
      expect(answers.map((answer) => answer.status)).to.deep.equal(ids.map(() => 200));
      expect((await read(playlist.id)).trackIds).to.have.members(ids).and.have.length(20);
    });

    it('adds a track sent by several clients at once exactly once', async () => {
      const [id] = await storedTracks(1);
      const playlist = await create({ name: 'Contested' });
      const answers = await Promise.all(Array.from({ length: 8 }, () => harness.http.post(`/playlists/${playlist.id}/tracks`).send({ trackIds: [id] })));
      expect(answers.map((answer) => answer.status).sort()).to.deep.equal([200, ...Array(7).fill(409)]);
      expect((await read(playlist.id)).trackIds).to.deep.equal([id]);
    });

    it('adds at the end for a position past it', async () => {
      const [first, second] = await storedTracks(2);
      const playlist = await create({ name: 'Short', trackIds: [first] });
      const added = await harness.http.post(`/playlists/${playlist.id}/tracks`).send({ trackIds: [second], position: 50 });
      expect(added.body.trackIds).to.deep.equal([first, second]);
    });
  });

  describe('refusals', () => {
    it('answers 400 for a malformed playlist or track id, and for bad bodies, keeping nothing', async () => {
      expectError(await harness.http.get('/playlists/nope'), 400, 'validation_failed');
      const [track] = await storedTracks(1);
      const playlist = await create({ name: 'Mine' });
      expectError(await harness.http.delete(`/playlists/${playlist.id}/tracks/short`), 400, 'validation_failed');
      for (const body of [
        {},
        { name: '   ' },
        { name: 'x'.repeat(201) },
        { name: 'bell\u0007' },
        { name: 'ok', description: 'd'.repeat(2001) },
        { name: 'ok', trackIds: ['not-an-id'] },
        { name: 'ok', trackIds: [track, track] },
        { name: 'ok', color: 'red' },
      ]) {
        const response = await harness.http.post('/playlists').send(body);
        expectError(response, 400, 'validation_failed');
        expect(Object.keys(response.body.error.details.fields), JSON.stringify(body)).to.have.length.above(0);
      }
      expectError(await harness.http.patch(`/playlists/${playlist.id}`).send({}), 400, 'validation_failed');
      expectError(await harness.http.post(`/playlists/${playlist.id}/tracks`).send({ trackIds: [] }), 400, 'validation_failed');
      expectError(await harness.http.post(`/playlists/${playlist.id}/tracks`).send({ trackIds: [track], position: -1 }), 400, 'validation_failed');
      expectError(await harness.http.post('/playlists').set('Content-Type', 'application/json').send('{"name":'), 400, 'invalid_json');
      expect(await harness.database.playlists.countDocuments()).to.equal(1);
    });

    it('answers 422 unknown_tracks naming the ids that are not tracks, and changes nothing', async () => {
      const [known] = await storedTracks(1);
      const [ghost, other] = [newTrackId(), newTrackId()];
      const refused = await harness.http.post('/playlists').send({ name: 'Ghosts', trackIds: [known, ghost, other] });
      expectError(refused, 422, 'unknown_tracks');
      expect(refused.body.error.details.trackIds).to.deep.equal([ghost, other]);
      expect(await harness.database.playlists.countDocuments()).to.equal(0);

      const playlist = await create({ name: 'Real', trackIds: [known] });
      expectError(await harness.http.post(`/playlists/${playlist.id}/tracks`).send({ trackIds: [ghost] }), 422, 'unknown_tracks');
      expectError(await harness.http.patch(`/playlists/${playlist.id}`).send({ trackIds: [ghost] }), 422, 'unknown_tracks');
      expect((await read(playlist.id)).trackIds).to.deep.equal([known]);
    });

    it('answers 409 already_in_playlist for a track the playlist holds, and adds none of the batch', async () => {
      const [first, second] = await storedTracks(2);
      const playlist = await create({ name: 'Once each', trackIds: [first] });
      const refused = await harness.http.post(`/playlists/${playlist.id}/tracks`).send({ trackIds: [second, first] });
      expectError(refused, 409, 'already_in_playlist');
      expect(refused.body.error.details.trackIds).to.deep.equal([first]);
      expect((await read(playlist.id)).trackIds).to.deep.equal([first]);
    });

    it('answers 422 too_many_tracks past 1,000 tracks, whether made, set or added', async () => {
      const ids = await storedTracks(1001);
      const tooLong = await harness.http.post('/playlists').send({ name: 'Everything', trackIds: ids });
      expectError(tooLong, 422, 'too_many_tracks');
      expect(tooLong.body.error.details).to.deep.equal({ max: 1000, count: 1001 });

      const full = await create({ name: 'Full', trackIds: ids.slice(0, 1000) });
      expect(full.tracks).to.have.length(1000);
      const added = await harness.http.post(`/playlists/${full.id}/tracks`).send({ trackIds: [ids[1000]] });
      expectError(added, 422, 'too_many_tracks');
      expect(added.body.error.details).to.deep.equal({ max: 1000, count: 1001 });
      expectError(await harness.http.patch(`/playlists/${full.id}`).send({ trackIds: ids }), 422, 'too_many_tracks');
      expect((await read(full.id)).trackIds).to.deep.equal(ids.slice(0, 1000));

      expect((await harness.http.delete(`/playlists/${full.id}/tracks/${ids[0]}`)).status).to.equal(204);
      const roomAgain = await harness.http.post(`/playlists/${full.id}/tracks`).send({ trackIds: [ids[1000]], position: 0 });
      expect(roomAgain.status, 'with room for one, one goes in').to.equal(200);
      expect(roomAgain.body.trackIds.slice(0, 2)).to.deep.equal([ids[1000], ids[1]]);
    });

    it('answers 404 for a playlist that is not there, and for a track it does not hold', async () => {
      const [track, elsewhere] = await storedTracks(2);
      const missing = newTrackId();
      expectError(await harness.http.get(`/playlists/${missing}`), 404, 'not_found');
      expectError(await harness.http.patch(`/playlists/${missing}`).send({ name: 'x' }), 404, 'not_found');
      expectError(await harness.http.post(`/playlists/${missing}/tracks`).send({ trackIds: [track] }), 404, 'not_found');
      expectError(await harness.http.delete(`/playlists/${missing}/tracks/${track}`), 404, 'not_found');
      expectError(await harness.http.delete(`/playlists/${missing}`), 404, 'not_found');
      const playlist = await create({ name: 'Short', trackIds: [track] });
      const notHeld = await harness.http.delete(`/playlists/${playlist.id}/tracks/${elsewhere}`);
      expectError(notHeld, 404, 'not_found');
      expect(notHeld.body.error.details).to.deep.equal({ id: playlist.id, trackId: elsewhere });
    });

    it('takes JSON only', async () => {
      const response = await harness.http.post('/playlists').set('Content-Type', 'text/plain').send('name=Mine');
      expectError(response, 415, 'unsupported_media_type');
    });
  });

  describe('with API_KEYS set', () => {
    let keyed: CrudHarness;
    before(async () => {
      keyed = await startCrud({ API_KEYS: KEY });
    });
    after(() => keyed.close());

    it('refuses every write without a key (401) and lets anyone read', async () => {
      const id = newTrackId();
      const made = await keyed.http.post('/playlists').set('Authorization', `Bearer ${KEY}`).send({ name: 'Keyed' });
      expect(made.status).to.equal(201);
      const playlist = made.body.id as string;
      for (const write of [
        keyed.http.post('/playlists').send({ name: 'Anonymous' }),
        keyed.http.patch(`/playlists/${playlist}`).send({ name: 'Sneaky' }),
        keyed.http.post(`/playlists/${playlist}/tracks`).send({ trackIds: [id] }),
        keyed.http.delete(`/playlists/${playlist}/tracks/${id}`),
        keyed.http.delete(`/playlists/${playlist}`),
      ]) {
        expectError(await write, 401, 'unauthorized');
      }
      expect((await keyed.http.get(`/playlists/${playlist}`)).body.name).to.equal('Keyed');
      expect((await keyed.http.get('/playlists')).body.data).to.have.length(1);
    });
  });

  describe('deleting a track', () => {
    it('takes it out of every playlist that holds it', async () => {
      const [keep, doomed] = [await uploadTrack(harness), await uploadTrack(harness)];
      const first = await create({ name: 'First', trackIds: [doomed.id, keep.id] });
      const second = await create({ name: 'Second', trackIds: [keep.id, doomed.id] });
      const untouched = await create({ name: 'Untouched', trackIds: [keep.id] });

      expect((await harness.http.delete(`/tracks/${doomed.id}`)).status).to.equal(204);
      for (const playlist of [first, second, untouched]) {
        expect((await read(playlist.id)).trackIds, playlist.name).to.deep.equal([keep.id]);
      }
      expect(await harness.database.playlists.countDocuments({ trackIds: doomed.id }), 'stored too, not only hidden').to.equal(0);
    });

    it('takes it out of every playlist when the sweeper finishes a deletion cut short', async () => {
      const [keep, doomed] = await storedTracks(2);
      const playlist = await create({ name: 'Interrupted', trackIds: [doomed, keep] });
      const track = (await harness.http.get(`/tracks/${doomed}`)).body as Track;
      await cutDeletionShort(harness, track);
      expect((await read(playlist.id)).trackIds, 'a missing track is skipped meanwhile').to.deep.equal([keep]);
      expect((await harness.database.playlists.findOne({ _id: playlist.id }))?.trackIds).to.deep.equal([doomed, keep]);

      expect((await harness.crud.sweeper.sweep()).cleanedUp).to.equal(1);
      expect((await harness.database.playlists.findOne({ _id: playlist.id }))?.trackIds).to.deep.equal([keep]);
    });

    it('takes it out of every playlist when it expires unplayed', async () => {
      const expiring = await startCrud({ TRACK_TTL_DAYS: '30' });
      try {
        const [fresh, stale] = [readyTrack(newTrackId()), readyTrack(newTrackId())];
        stale.createdAt = new Date(Date.now() - 45 * DAY_MS);
        await expiring.database.tracks.insertMany([fresh, stale]);
        const made = await expiring.http.post('/playlists').send({ name: 'Aging', trackIds: [stale._id, fresh._id] });
        expect(made.status).to.equal(201);

        expect((await expiring.crud.sweeper.sweep()).expired).to.equal(1);
        expect((await expiring.http.get(`/playlists/${made.body.id}`)).body.trackIds).to.deep.equal([fresh._id]);
        expect((await expiring.database.playlists.findOne({ _id: made.body.id }))?.trackIds).to.deep.equal([fresh._id]);
      } finally {
        await expiring.close();
      }
    });
  });
});
