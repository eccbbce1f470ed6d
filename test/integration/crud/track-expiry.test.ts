import { expect } from 'chai';
import type { Track } from '../../../functions/core/schemas/track.js';
import { type CrudHarness, startCrud, storedCounts } from '../../support/crud.js';
import { distinctCopy } from '../../support/fixtures.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS);

/** A new track each time: bytes of its own, or it would be answered with the track they made before. */
async function ingest(harness: CrudHarness): Promise<Track> {
  const file = await distinctCopy('taggedMp3');
  const response = await harness.http.post('/tracks?wait=true').attach('file', file.path, file.filename);
  expect(response.status).to.equal(201);
  return response.body as Track;
}

describe('TRACK_TTL_DAYS', function () {
  this.timeout(120_000);
  let harness: CrudHarness;
  afterEach(() => harness.close());

  /** Time passing, staged: the track was made (and maybe last played) that many days ago. */
  const age = (track: Track, createdDaysAgo: number, playedDaysAgo: number | null) =>
    harness.database.tracks.updateOne(
      { _id: track.id },
      { $set: { createdAt: daysAgo(createdDaysAgo), lastAccessedAt: playedDaysAgo === null ? null : daysAgo(playedDaysAgo) } },
    );

  it('removes tracks nobody played within the TTL, with everything stored for them', async () => {
    harness = await startCrud({ TRACK_TTL_DAYS: '30' });
    const neverPlayed = await ingest(harness);
    const playedLately = await ingest(harness);
    const recent = await ingest(harness);
    await age(neverPlayed, 45, null);
    await age(playedLately, 45, 2);
    const segmentsEach = (await storedCounts(harness)).segments / 3;

    expect((await harness.crud.sweeper.sweep()).expired).to.equal(1);
    const remaining = (await harness.http.get('/tracks')).body.data.map((track: Track) => track.id).sort();
    expect(remaining).to.deep.equal([playedLately.id, recent.id].sort());
    expect(await storedCounts(harness)).to.include({ tracks: 2, covers: 2, originals: 2, segments: segmentsEach * 2, fingerprints: 2 });
    expect(await harness.database.fingerprints.countDocuments({ trackId: neverPlayed.id }), 'its file may come again as a new track').to.equal(0);
  });

  it('keeps everything when no TTL is set', async () => {
    harness = await startCrud();
    const old = await ingest(harness);
    await age(old, 400, null);
    expect((await harness.crud.sweeper.sweep()).expired).to.equal(0);
    expect((await harness.http.get(`/tracks/${old.id}`)).status).to.equal(200);
  });
});
