import { expect } from 'chai';
import { newTrackId } from '../../../functions/shared/ids.js';
import type { Loudness, TrackDocument, TrackUpdate } from '../../../functions/core/schemas/track.js';
import { TrackStore } from '../../../functions/shared/storage/track-store.js';
import { freshDatabase, type TestDatabase } from '../../support/database.js';
import { processingTrack, storedRendition } from '../../support/track-documents.js';

const ROUNDS = 200;
const OWNER = 'replica-a';
const RENDITIONS = [storedRendition('a128', 128_000, [6, 6, 3.5]), storedRendition('a64', 64_000, [6, 6, 3.5])];
const LOUDNESS: Loudness = { integratedLufs: -14.2, truePeakDbtp: -1.1, rangeLu: 6.3 };
const TAGS: Required<TrackUpdate> = { title: 'Blue in Green', artist: 'Miles Davis', album: 'Kind of Blue', year: 1959, genre: 'Jazz', trackNumber: 3 };

/** Fisher–Yates, so each round sends its writes in another order. */
function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(Math.random() * (index + 1));
    [copy[index], copy[other]] = [copy[other]!, copy[index]!];
  }
  return copy;
}

/** What no reader may ever see, whatever is racing. */
function expectAllowedState(track: TrackDocument): void {
  if (track.status === 'processing') {
    expect(track.lease, 'a processing track holds a lease').to.not.equal(undefined);
    expect(track.renditions).to.deep.equal([]);
  }
  if (track.status === 'ready') {
    expect(track.renditions, 'a ready track has its renditions').to.deep.equal(RENDITIONS);
    expect(track.loudness).to.deep.equal(LOUDNESS);
    expect(track.progress).to.equal(1);
    expect(track.lease, 'a ready track holds no lease').to.equal(undefined);
  }
  if (track.status === 'failed') {
    expect(track.renditions).to.deep.equal([]);
    expect(track.error).to.not.equal(null);
  }
}

describe('the database under concurrent writes to one track', function () {
  this.timeout(300_000);
  let database: TestDatabase;
  let tracks: TrackStore;

  before(async () => {
    database = await freshDatabase();
    tracks = new TrackStore(database.tracks);
  });
  after(() => database.drop());

  const lease = () => ({ owner: OWNER, until: new Date(Date.now() + 30_000), attempts: 1 });

  /** Reads the track over and over until `done` settles, checking every state it sees; answers the statuses seen. */
  async function watch(id: string, done: Promise<unknown>): Promise<Set<string>> {
    let settled = false;
    void done.finally(() => (settled = true));
    const seen = new Set<string>();
    while (!settled) {
      const track = await tracks.get(id);
      if (track) expectAllowedState(track);
      seen.add(track?.status ?? 'gone');
    }
    return seen;
  }

  it(`keeps every lease renewal, tag change, play and the finishing write racing on one track (${ROUNDS} rounds)`, async () => {
    const statusesSeen = new Set<string>();
    for (let round = 0; round < ROUNDS; round++) {
      const id = newTrackId();
      await tracks.insert(processingTrack(id, lease()));
      const playedAt = new Date(Date.now() + round);
      let finished: TrackDocument | null = null;
      const writes = shuffled<() => Promise<unknown>>([
        ...Array.from({ length: 10 }, (_, index) => () => tracks.renewLease(id, OWNER, new Date(Date.now() + 30_000), index / 10)),
        async () => (finished = await tracks.markReady(id, OWNER, { renditions: RENDITIONS, loudness: LOUDNESS })),
        ...Object.entries(TAGS).map(([field, value]) => () => tracks.updateTags(id, { [field]: value })),
        () => tracks.touch(id, playedAt),
      ]);
      const racing = Promise.all(writes.map((write) => write()));
      for (const status of await watch(id, racing)) statusesSeen.add(status);
      await racing;

      expect(finished, 'the finishing write found the track it holds the lease on').to.not.equal(null);
      const track = (await tracks.get(id))!;
      expectAllowedState(track);
      expect(track.status, `round ${round}`).to.equal('ready');
      expect(track, 'no tag change was lost').to.include(TAGS);
      expect(track.lastAccessedAt?.getTime(), 'the play was kept').to.equal(playedAt.getTime());
    }
    expect([...statusesSeen].sort(), 'reads saw the track before and after it was finished').to.deep.equal(['processing', 'ready']);
  });

  it(`lets no write racing a DELETE bring the track back (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const id = newTrackId();
      await tracks.insert(processingTrack(id, lease()));
      const writes = shuffled<() => Promise<unknown>>([
        ...Array.from({ length: 5 }, (_, index) => () => tracks.renewLease(id, OWNER, new Date(Date.now() + 30_000), index / 10)),
        () => tracks.markReady(id, OWNER, { renditions: RENDITIONS, loudness: LOUDNESS }),
        () => tracks.updateTags(id, { title: 'Renamed' }),
        () => tracks.touch(id, new Date()),
        () => tracks.delete(id),
      ]);
      const racing = Promise.all(writes.map((write) => write()));
      await watch(id, racing);
      await racing;
      expect(await database.tracks.countDocuments({ _id: id }), `round ${round}`).to.equal(0);
    }
  });

  it(`lets exactly one of two endings win: ready or failed, never a mix (${ROUNDS} rounds)`, async () => {
    const outcomes = { ready: 0, failed: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const id = newTrackId();
      await tracks.insert(processingTrack(id, lease()));
      const [ready, failed] = await Promise.all([
        tracks.markReady(id, OWNER, { renditions: RENDITIONS, loudness: LOUDNESS }),
        tracks.markFailed(id, null, { code: 'too_many_attempts', message: 'gave up' }),
      ]);
      expect([ready, failed].filter(Boolean), `round ${round}: one ending wins`).to.have.length(1);
      const track = (await tracks.get(id))!;
      expectAllowedState(track);
      expect(track.status).to.equal(ready ? 'ready' : 'failed');
      outcomes[track.status as 'ready' | 'failed']++;
    }
    expect(outcomes.ready + outcomes.failed).to.equal(ROUNDS);
  });

  it(`gives an expired lease to exactly one of five replicas claiming it, counting one attempt (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const id = newTrackId();
      const expired = processingTrack(id, { owner: 'replica-dead', until: new Date(Date.now() - 1000), attempts: 1 });
      await tracks.insert(expired);
      const claims = await Promise.all(
        Array.from({ length: 5 }, (_, index) =>
          tracks.claimExpiredLease(expired, { owner: `replica-${index}`, until: new Date(Date.now() + 30_000) }),
        ),
      );
      const winners = claims.filter((claim): claim is TrackDocument => claim !== null);
      expect(winners, `round ${round}`).to.have.length(1);
      const track = (await tracks.get(id))!;
      expect(track.lease).to.include({ owner: winners[0]!.lease!.owner, attempts: 2 });
    }
  });

  it('loses none of 600 concurrent increments of two fields of one document', async () => {
    const counters = database.db.collection<{ _id: string; a: number; b: number }>('counters');
    await counters.insertOne({ _id: 'one', a: 0, b: 0 });
    await Promise.all([
      ...Array.from({ length: 300 }, () => counters.updateOne({ _id: 'one' }, { $inc: { a: 1 } })),
      ...Array.from({ length: 300 }, () => counters.updateOne({ _id: 'one' }, { $inc: { b: 1 } })),
    ]);
    expect(await counters.findOne({ _id: 'one' })).to.deep.equal({ _id: 'one', a: 300, b: 300 });
  });
});
